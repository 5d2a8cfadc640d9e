package io.cpns.testkit;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Message;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * gw-link's {@link ServerLink} as a gateway flow sees it, for a flow's unit tests: each request is
 * recorded for the test to answer as the CPNS Server; while {@link #up} is false it refuses with
 * {@code UNAVAILABLE}, as gw-link does while not authenticated. (gw-link itself is tested against a
 * real TLS server.)
 */
public final class RecordingServerLink implements ServerLink {
    public static final long WAIT_MILLIS = 5000;

    /** One request to the Server. */
    public record Sent(Message message, CompletableFuture<Message> answer) {
    }

    private final EntityId serverId;
    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    /** Whether the link is authenticated; false: every request fails {@code UNAVAILABLE}. */
    public volatile boolean up = true;

    public RecordingServerLink(EntityId serverId) {
        this.serverId = serverId;
    }

    @Override
    public LinkStatus status() {
        throw new UnsupportedOperationException("not recorded: test gw-link's status against gw-link");
    }

    @Override
    public CompletionStage<Message> request(Message request, Duration timeout) {
        if (!up) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "not connected to the CPNS Server"));
        }
        Sent s = new Sent(request, new CompletableFuture<>());
        sent.add(s);
        return s.answer;
    }

    @Override
    public void reconnect() {
    }

    @Override
    public InetSocketAddress serverAddress() {
        return InetSocketAddress.createUnresolved("127.0.0.1", 1);
    }

    @Override
    public EntityId serverId() {
        return serverId;
    }

    /** Nothing sent that the test has not taken. */
    public boolean idle() {
        return sent.isEmpty();
    }

    /** The next request, which must be a {@code type} (waits). */
    public Sent next(Class<? extends Message> type) throws InterruptedException {
        Sent s = sent.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("no " + type.getSimpleName() + " to the Server within " + WAIT_MILLIS + " ms");
        }
        if (!type.isInstance(s.message())) {
            throw new AssertionError("expected a " + type.getSimpleName() + " to the Server, got " + s);
        }
        return s;
    }

    /** The next request, a {@code type}, answered with {@code answer} of it ({@code null}: left unanswered); returns it. */
    public <M extends Message> M next(Class<M> type, Function<M, Message> answer) throws InterruptedException {
        Sent s = next(type);
        M m = type.cast(s.message());
        if (answer != null) {
            s.answer().complete(answer.apply(m));
        }
        return m;
    }
}
