package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.log.Logger;

/**
 * The Server's own requests on the gateway's session (push): handed to the
 * {@link ServerRequestHandler} of their type off the read loop, answered on the same session; a
 * ping is answered here. No handler: {@code UNAVAILABLE}, so the Server knows to retry or wait
 * for a pull.
 */
final class ServerRequests {
    private final Map<String, ServerRequestHandler> handlers = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cpns-gw-link-server-requests");
        t.setDaemon(true);
        return t;
    });
    private final Logger log;

    ServerRequests(Logger log) {
        this.log = log;
    }

    void add(String type, ServerRequestHandler h) {
        handlers.put(type, h);
    }

    void remove(String type, ServerRequestHandler h) {
        handlers.remove(type, h);
    }

    /** Called on the session's read loop. */
    void accept(LinkSession session, Envelope request) {
        executor.execute(() -> answer(session, request).whenComplete((m, x) -> session.reply(request, m != null ? m : error(request, x))));
    }

    private CompletableFuture<Message> answer(LinkSession session, Envelope request) {
        if (request.body() instanceof Ping p) {
            return CompletableFuture.completedFuture(new Pong(p.data()));
        }
        ServerRequestHandler h = handlers.get(request.type().wireName());
        if (h == null) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE,
                    "no handler for " + request.type().wireName() + " on this PN GW"));
        }
        try {
            return h.handle(request.body()).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ErrorMessage error(Envelope request, Throwable x) {
        Throwable c = x instanceof java.util.concurrent.CompletionException && x.getCause() != null ? x.getCause() : x;
        if (c instanceof CpnsException e) {
            log.info("the Server's {} {} refused: {}", request.type().wireName(), request.id(), e.toString());
            return ErrorMessage.of(e);
        }
        log.error("handler for the Server's {} failed", request.type().wireName(), c);
        return ErrorMessage.of(new CpnsException(ErrorCode.INTERNAL, "internal gateway error"));
    }

    void close() {
        executor.shutdownNow();
    }
}
