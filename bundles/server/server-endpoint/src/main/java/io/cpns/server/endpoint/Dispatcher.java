package io.cpns.server.endpoint;

import io.cpns.api.dispatch.HandlerTable;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import java.time.Duration;
import java.util.Map;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * Request type -&gt; the flow's handler (whiteboard, io.cpns.api.dispatch): handlers come and go as
 * bundles do; a request whose handler bundle is missing gets a clear {@code UNAVAILABLE}, not a
 * dropped connection. A ping is answered here.
 */
final class Dispatcher {
    private final HandlerTable<RequestHandler> handlers = new HandlerTable<>("this server", Duration.ZERO);

    void add(ComponentServiceObjects<RequestHandler> h, Map<String, Object> props) {
        handlers.add(h, props);
    }

    void remove(ComponentServiceObjects<RequestHandler> h, Map<String, Object> props) {
        handlers.remove(h, props);
    }

    /** On the session's connection thread. @throws io.cpns.api.CpnsException UNAVAILABLE, or the handler's refusal */
    Message dispatch(Principal from, Envelope request) {
        if (request.type() == MessageType.PING) {
            return new Pong(((Ping) request.body()).data());
        }
        return handlers.find(request.type()).handle(from, request);
    }

    void stop() {
        handlers.stop();
    }
}
