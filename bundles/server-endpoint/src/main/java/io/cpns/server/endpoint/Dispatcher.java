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

/**
 * Request type -&gt; handler. Handlers come and go as bundles do (OSGi whiteboard); a request whose
 * handler bundle is missing gets a clear {@code UNAVAILABLE}, not a dropped connection.
 */
final class Dispatcher {
    private final Map<String, RequestHandler> handlers = new ConcurrentHashMap<>();

    Dispatcher() {
        handlers.put("ping", (from, req) -> new Pong(((Ping) req.body()).data()));
    }

    void add(String type, RequestHandler h) {
        handlers.put(type, h);
    }

    void remove(String type, RequestHandler h) {
        handlers.remove(type, h);
    }

    Message dispatch(Principal from, Envelope request) {
        RequestHandler h = handlers.get(request.type().wireName());
        if (h == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no handler for '" + request.type().wireName()
                    + "' on this server (is the bundle that handles it installed and active?)");
        }
        return h.handle(from, request);
    }
}
