package io.cpns.server.endpoint;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * Request type -&gt; handler. Handlers come and go as bundles do (OSGi whiteboard); a request whose
 * handler bundle is missing gets a clear {@code UNAVAILABLE}, not a dropped connection.
 */
final class Dispatcher {
    private final Map<String, LazyHandler<RequestHandler>> handlers = new ConcurrentHashMap<>();
    private final RequestHandler ping = (from, req) -> new Pong(((Ping) req.body()).data());

    void add(String type, LazyHandler<RequestHandler> h) {
        LazyHandler<RequestHandler> old = handlers.put(type, h);
        if (old != null) {
            old.release();
        }
    }

    void remove(String type, ComponentServiceObjects<RequestHandler> objects) {
        handlers.computeIfPresent(type, (t, h) -> {
            if (!h.isFor(objects)) {
                return h;
            }
            h.release();
            return null;
        });
    }

    Message dispatch(Principal from, Envelope request) {
        String type = request.type().wireName();
        LazyHandler<RequestHandler> lazy = handlers.get(type);
        RequestHandler h = "ping".equals(type) ? ping : lazy == null ? null : lazy.get();
        if (h == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no handler for '" + request.type().wireName()
                    + "' on this server (is the bundle that handles it installed and active?)");
        }
        return h.handle(from, request);
    }
}
