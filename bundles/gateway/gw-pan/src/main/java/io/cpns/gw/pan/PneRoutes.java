package io.cpns.gw.pan;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.pan.spi.PanConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.log.Logger;

/**
 * The routing table: every {@link Link} by its connection, the links of each PNE, and the requests
 * this PN GW sent to PNEs and awaits answers to. Answers go back on the link their request came on
 * ({@link #answer}); requests to a PNE go on its best link ({@link #requestToPne}).
 * Called on adapters' reader threads (links opening, closing, answering) and on callers' threads
 * (requests to PNEs, replies); never blocks but for a frame's send.
 */
final class PneRoutes {
    private final EntityId gatewayId;
    private final Logger log;
    private final ScheduledExecutorService timer;
    private final Map<PanConnection, Link> links = new ConcurrentHashMap<>();
    private final Map<EntityId, Set<Link>> routes = new ConcurrentHashMap<>();
    /** Requests of this PN GW to PNEs, by PNE and id, with the link each was sent on. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);

    private record Pending(Link sentOn, CompletableFuture<PneMessage> answer) {
    }

    PneRoutes(EntityId gatewayId, Logger log, ScheduledExecutorService timer) {
        this.gatewayId = gatewayId;
        this.log = log;
        this.timer = timer;
    }

    void opened(Link link) {
        links.put(link.connection(), link);
    }

    /** The link now knows which PNE it carries: a route to it. */
    void identified(Link link) {
        // add inside compute: a concurrent closed() of the PNE's previous link may drop an emptied set
        routes.compute(link.pne(), (k, set) -> {
            Set<Link> s = set == null ? new CopyOnWriteArraySet<>() : set;
            s.add(link);
            return s;
        });
    }

    void closed(Link link) {
        links.remove(link.connection());
        if (link.pne() != null) {
            routes.computeIfPresent(link.pne(), (k, set) -> {
                set.remove(link);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** An adapter stopped: its links are forgotten (their closed() also cleans routes). */
    void adapterStopped(String adapterId) {
        links.keySet().removeIf(c -> c.adapterId().equals(adapterId));
    }

    /** The PAN side stops: every awaited answer fails. */
    void stop() {
        CpnsException down = new CpnsException(ErrorCode.UNAVAILABLE, "PAN side stopping");
        pending.values().forEach(p -> p.answer().completeExceptionally(down));
    }

    /** A request of this PN GW to a PNE, on its best link; the answer comes through {@link #responseFromPne}. */
    CompletionStage<PneMessage> requestToPne(EntityId pne, Message message, Duration timeout) {
        Link link = best(pne).orElse(null);
        if (link == null) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "PNE " + pne + " is not connected"));
        }
        long id = ids.incrementAndGet();
        String key = key(pne, id);
        CompletableFuture<PneMessage> f = new CompletableFuture<>();
        Pending p = new Pending(link, f);
        pending.put(key, p);
        timer.schedule(() -> {
            if (pending.remove(key, p)) {
                f.completeExceptionally(new CpnsException(ErrorCode.TIMEOUT, "PNE " + pne + " did not answer "
                        + message.type().wireName() + " within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            link.send(new Envelope(gatewayId, pne, id, message));
        } catch (IOException | RuntimeException x) {
            pending.remove(key, p);
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "sending to PNE " + pne + " failed: " + x.getMessage()));
        }
        return f;
    }

    /**
     * A PNE's answer to one of our requests: taken from the link the request was sent on, or from
     * an authenticated link of that PNE (seed 004 step 7: it answers over the link it just secured
     * with its new LocalEUKey). A link that only claims the PNE's identity cannot answer for another.
     */
    void responseFromPne(Link link, Envelope e) {
        String key = key(link.pne(), e.id());
        Pending p = pending.get(key);
        if (p == null) {
            log.debug("late or unknown response {} {} from {}", e.type().wireName(), e.id(), link.pne());
            return;
        }
        if (p.sentOn() != link && !link.authenticated()) {
            link.fail(new CpnsException(ErrorCode.FORBIDDEN, "request " + e.id() + " was not sent on this link"));
            return;
        }
        if (!pending.remove(key, p)) {
            return; // timed out meanwhile
        }
        p.sentOn().movedTo(link); // it answered here what only the other link carried: the same PNE, moved
        if (e.body() instanceof ErrorMessage err) {
            p.answer().completeExceptionally(err.toException());
        } else {
            p.answer().complete(new PneMessage(e, link.info()));
        }
    }

    /** A flow's answer to a PNE's request it was handed ({@code PneMessenger.reply}): back on the link it came on. */
    void reply(PneMessage request, Message response) {
        PneLink from = request.link();
        Link origin = links.values().stream().filter(l -> l.info().since().equals(from.since())
                        && l.connection().adapterId().equals(from.adapter()) && l.connection().remote().equals(from.remote()))
                .findFirst().orElse(null);
        if (origin == null) {
            log.info("answer to {} {} of PNE {} lost: its link closed", request.envelope().type().wireName(), request.envelope().id(),
                    request.envelope().src());
            return;
        }
        answer(origin, request.envelope(), response);
    }

    /**
     * An answer goes back on the link its request came on: a link that only claims an identity
     * never receives, nor spoils, an answer meant for another link of a PNE with that ID. It
     * follows the PNE only where the PNE proved it moved: to the authenticated link on which it
     * answered a request sent on the first one (seed 004: it secures a new link with its new
     * LocalEUKey and answers {@code pne.auth.req} there; its {@code pn.setup.resp} follows), or,
     * if an authenticated link closed, to another authenticated link of that PNE.
     */
    void answer(Link origin, Envelope request, Message response) {
        Link to = origin.current();
        if (response instanceof ErrorMessage err) {
            to.refused(request, err);
        }
        if (!to.isClosed() && deliver(to, request, response)) {
            return;
        }
        Link proven = !to.authenticated() ? null : routes.getOrDefault(request.src(), Set.of()).stream()
                .filter(l -> l != to && l.authenticated() && !l.isClosed())
                .max(Comparator.comparing(l -> l.info().since())).orElse(null);
        if (proven == null || !deliver(proven, request, response)) {
            log.info("answer to {} {} of PNE {} lost: its link closed", request.type().wireName(), request.id(), request.src());
        }
    }

    /** Built-in answers (discovery, ping, tunnels): on the link the request came on. */
    void replyOn(Link link, Envelope request, Message response) {
        if (response instanceof ErrorMessage err) {
            link.refused(request, err);
        }
        deliver(link, request, response);
    }

    private boolean deliver(Link link, Envelope request, Message response) {
        try {
            link.send(new Envelope(gatewayId, request.src(), request.id(), response));
            return true;
        } catch (IOException | RuntimeException x) {
            log.debug("answer to PNE {} on {} failed: {}", request.src(), link.describe(), x.toString());
            return false;
        }
    }

    /** An authenticated link first, then the newest one. */
    Optional<Link> best(EntityId pne) {
        Set<Link> set = routes.get(pne);
        if (set == null) {
            return Optional.empty();
        }
        return set.stream().max(Comparator.comparing(Link::authenticated).thenComparing(l -> l.info().since()));
    }

    Collection<Link> links() {
        return links.values();
    }

    /** Closes every link of {@code pne}; how many there were. */
    int disconnect(EntityId pne) {
        Set<Link> set = routes.getOrDefault(pne, Set.of());
        int n = set.size();
        set.forEach(l -> l.connection().close());
        return n;
    }

    private static String key(EntityId pne, long id) {
        return pne + "#" + id;
    }
}
