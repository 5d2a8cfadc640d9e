package io.cpns.testkit;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * gw-pan's routing table ({@link PneMessenger}) as a gateway flow sees it, for a flow's unit tests:
 * every request to a PNE is recorded, and the test answers it as that PNE, on a link protected as it
 * chooses ({@link Sent#answer}). Links and disconnects are the test's lists.
 */
public final class RecordingPneMessenger implements PneMessenger {
    /** Safety net only: a broken flow fails instead of hanging. */
    public static final long WAIT_MILLIS = 5000;

    /** One request to a PNE. */
    public record Sent(EntityId gateway, EntityId pne, Message message, CompletableFuture<PneMessage> answer) {
        /** The PNE answers {@code body} on a link protected by {@code p}, up since now. */
        public void answer(LinkProtection p, Message body) {
            answer.complete(new PneMessage(new Envelope(pne, gateway, 1, body), link(pne, p)));
        }

        /** gw-pan fails the request ({@code UNAVAILABLE}: not linked; {@code TIMEOUT}: no answer). */
        public void fail(ErrorCode code) {
            answer.completeExceptionally(new CpnsException(code, "test: " + code));
        }
    }

    private final EntityId gateway;
    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    /** The PNEs' current links, as {@link #links()} and {@link #link} report them. */
    public final List<PneLink> links = new CopyOnWriteArrayList<>();
    /** The PNEs {@link #disconnect} was called for, in order. */
    public final List<EntityId> disconnected = new CopyOnWriteArrayList<>();

    public RecordingPneMessenger(EntityId gateway) {
        this.gateway = gateway;
    }

    /** A PNE's link protected by {@code p} (authenticated whenever protected), up since now. */
    public static PneLink link(EntityId pne, LinkProtection p) {
        return new PneLink(pne.value(), p == LinkProtection.PAN ? "secure-pan" : "ip", "remote-" + pne.value(), p.isProtected(), p,
                Instant.now());
    }

    @Override
    public CompletionStage<PneMessage> request(EntityId pne, Message request, Duration timeout) {
        Sent s = new Sent(gateway, pne, request, new CompletableFuture<>());
        sent.add(s);
        return s.answer;
    }

    @Override
    public void reply(PneMessage request, Message response) {
        throw new UnsupportedOperationException("flows answer PNEs through their handlers' stages");
    }

    @Override
    public List<PneLink> links() {
        return List.copyOf(links);
    }

    @Override
    public Optional<PneLink> link(EntityId pne) {
        return links.stream().filter(l -> l.pneId().equals(pne.value())).findFirst();
    }

    @Override
    public int disconnect(EntityId pne) {
        disconnected.add(pne);
        return 1;
    }

    /** Nothing sent that the test has not taken. */
    public boolean idle() {
        return sent.isEmpty();
    }

    /** The next request to a PNE, which must be a {@code type} (waits). */
    public Sent next(Class<? extends Message> type) throws InterruptedException {
        Sent s = sent.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("no " + type.getSimpleName() + " to a PNE within " + WAIT_MILLIS + " ms");
        }
        if (!type.isInstance(s.message())) {
            throw new AssertionError("expected a " + type.getSimpleName() + " to a PNE, got " + s);
        }
        return s;
    }

    /** The next {@code n} requests, one to each of {@code n} PNEs, by PNE (waits). */
    public Map<EntityId, Sent> next(Class<? extends Message> type, int n) throws InterruptedException {
        Map<EntityId, Sent> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Sent s = next(type);
            if (out.put(s.pne(), s) != null) {
                throw new AssertionError("two " + type.getSimpleName() + " to " + s.pne());
            }
        }
        return out;
    }
}
