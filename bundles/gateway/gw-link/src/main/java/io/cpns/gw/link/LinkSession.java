package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.session.SecureChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** One authenticated GW-Server session: requests out, responses matched back by envelope id. */
final class LinkSession {
    private final SecureChannel channel;
    private final EntityId self;
    private final EntityId server;
    private final ScheduledExecutorService timer;
    private final Map<Long, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100);
    private volatile boolean closed;

    private final java.util.function.Consumer<Envelope> serverRequests;

    /** @param serverRequests takes the Server's own requests (push); it answers them with {@link #reply} */
    LinkSession(SecureChannel channel, EntityId self, EntityId server, ScheduledExecutorService timer,
                java.util.function.Consumer<Envelope> serverRequests) {
        this.channel = channel;
        this.self = self;
        this.server = server;
        this.timer = timer;
        this.serverRequests = serverRequests;
    }

    /** Answers a request of the Server's; a link that went down meanwhile drops the answer (the Server times out). */
    void reply(Envelope request, Message answer) {
        try {
            channel.send(request.reply(answer));
        } catch (IOException | RuntimeException e) {
            // the session is gone: its read loop ends and the link reconnects
        }
    }

    String suite() {
        return channel.session().suiteName();
    }

    CompletableFuture<Message> request(Message body, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<Message> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "link to the CPNS Server is down"));
            return f;
        }
        pending.put(id, f);
        timer.schedule(() -> {
            if (pending.remove(id) != null) {
                f.completeExceptionally(new CpnsException(ErrorCode.TIMEOUT, body.type().wireName() + " got no answer in " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            channel.send(new Envelope(self, server, id, body));
        } catch (IOException | RuntimeException e) {
            pending.remove(id);
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "sending to the CPNS Server failed: " + e.getMessage()));
        }
        return f;
    }

    /** Reads until the connection ends; returns normally only when the server closed cleanly. */
    void readLoop() throws IOException {
        Envelope e;
        while ((e = channel.receive()) != null) {
            if (e.type().isRequest()) { // the Server's own request: its ids are its own, never ours
                serverRequests.accept(e);
                continue;
            }
            CompletableFuture<Message> f = pending.remove(e.id());
            if (f == null) {
                continue; // a late answer to a request that already timed out
            }
            if (e.body() instanceof ErrorMessage err) {
                f.completeExceptionally(err.toException());
            } else {
                f.complete(e.body());
            }
        }
    }

    void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        CpnsException down = new CpnsException(ErrorCode.UNAVAILABLE, "link to the CPNS Server went down");
        pending.values().forEach(f -> f.completeExceptionally(down));
        pending.clear();
    }
}
