package io.cpns.gw.pn;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each PNE was last expelled, counted in expels, and the lock an expel holds while it deletes
 * a PNE's keys: what lets an expel ({@link PnGateway#expel}) win over a PN Establishment in flight
 * ({@link Establishment}), which started at some count and leaves out every PNE expelled since.
 */
final class ExpelClock {
    /** Held by an expel while it deletes a PNE's keys, and by a batch installing or settling them: the expel wins. */
    private final Object lock = new Object();
    private final Map<String, Long> expelledAt = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();

    Object lock() {
        return lock;
    }

    /** Now, in expels: an establishment starting remembers it. */
    long now() {
        return count.get();
    }

    /** {@code pneId} is expelled now (called holding {@link #lock()}). */
    void expel(String pneId) {
        expelledAt.put(pneId, count.incrementAndGet());
    }

    boolean expelledSince(String pneId, long since) {
        return expelledAt.getOrDefault(pneId, 0L) > since;
    }
}
