package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.dispatch.HandlerTable;
import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.log.Logger;

/**
 * The Server's own requests on the gateway's session (push): handed to the
 * {@link ServerRequestHandler} of their type off the read loop, answered on the same session; a
 * ping is answered here. No handler: {@code UNAVAILABLE}, so the Server knows to retry or wait
 * for a pull.
 */
final class ServerRequests {
    /** The flows' entry points for the Server's requests (whiteboard, io.cpns.api.dispatch; no wait: the Server retries). */
    private final HandlerTable<ServerRequestHandler> handlers = new HandlerTable<>("this PN GW", Duration.ZERO);
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cpns-gw-link-server-requests");
        t.setDaemon(true);
        return t;
    });
    private final Logger log;

    ServerRequests(Logger log) {
        this.log = log;
    }

    void add(ComponentServiceObjects<ServerRequestHandler> h, Map<String, Object> props) {
        handlers.add(h, props);
    }

    void remove(ComponentServiceObjects<ServerRequestHandler> h, Map<String, Object> props) {
        handlers.remove(h, props);
    }

    /** Called on the session's read loop. */
    void accept(LinkSession session, Envelope request) {
        executor.execute(() -> answer(session, request).whenComplete((m, x) -> session.reply(request, m != null ? m : error(request, x))));
    }

    private CompletableFuture<Message> answer(LinkSession session, Envelope request) {
        if (request.body() instanceof Ping p) {
            return CompletableFuture.completedFuture(new Pong(p.data()));
        }
        try {
            return handlers.find(request.type()).handle(request.body()).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ErrorMessage error(Envelope request, Throwable x) {
        CpnsException wire = Failures.toWire(x, "internal gateway error");
        if (Failures.isBug(wire)) {
            log.error("handler for the Server's {} failed", request.type().wireName(), wire.getCause());
        } else {
            log.info("the Server's {} {} refused: {}", request.type().wireName(), request.id(), wire.toString());
        }
        return ErrorMessage.of(wire);
    }

    void close() {
        handlers.stop();
        executor.shutdownNow();
    }
}
