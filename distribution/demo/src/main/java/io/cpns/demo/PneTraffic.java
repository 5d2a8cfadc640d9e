package io.cpns.demo;

import io.cpns.api.EntityId;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PNEs that keep sending requests through the PN GW: each, on a thread of its own, relays a ping to
 * the CPNS Server end to end through one of its PNs (routed by PN ID by gw-pn), waits for the
 * answer, pauses, and sends the next. Counts what is answered and what fails, and the longest gap
 * in answering: the longest time one PNE went without an answer (from the start to its first
 * answer, between two answers, and from its last answer to the stop), its pause included.
 */
final class PneTraffic implements AutoCloseable {
    /** What the PNEs saw between the start and {@link #stop}. */
    record Figures(long answered, long failed, long longestGapMillis, long seconds, List<String> errors) {
    }

    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong longestGapNanos = new AtomicLong();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final long started = System.nanoTime();
    private volatile long stopped;

    /** @param pnes PNEs that are members of a PN (the first of each is used); they do not reconnect */
    PneTraffic(List<PneClient> pnes, Duration pause) {
        this(pnes, pause, null);
    }

    /**
     * @param reconnectTo when not null, a PNE whose link ended connects to this PN GW again (with its
     *                    LocalEUKey or pre-assigned key) before its next request, as a PNE application
     *                    told {@code onDisconnect} does
     */
    PneTraffic(List<PneClient> pnes, Duration pause, EntityId reconnectTo) {
        for (PneClient p : pnes) {
            String pn = p.pns().stream().map(PnState::pnId).findFirst()
                    .orElseThrow(() -> new DemoSteps.Failure(p.id() + " is in no PN"));
            Thread t = new Thread(() -> send(p, pn, pause, reconnectTo), "cpns-traffic-" + p.id());
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void send(PneClient p, String pn, Duration pause, EntityId reconnectTo) {
        byte[] data = new byte[8];
        long last = started;
        while (running.get()) {
            try {
                if (reconnectTo != null && !p.connected()) {
                    p.connect(reconnectTo);
                }
                if (p.requestServer(pn, new Ping(data)) instanceof Pong) {
                    answered.incrementAndGet();
                    long now = System.nanoTime();
                    longestGapNanos.accumulateAndGet(now - last, Math::max);
                    last = now;
                } else {
                    failed.incrementAndGet();
                }
            } catch (RuntimeException | java.io.IOException e) {
                failed.incrementAndGet();
                if (errors.size() < 5) {
                    errors.add(p.id() + ": " + e.getMessage());
                }
                if (reconnectTo != null && !pause(Duration.ofMillis(50))) {
                    break; // the PN GW is not there yet: try again shortly
                }
            }
            if (!pause(pause)) {
                break;
            }
        }
        long end = stopped == 0 ? System.nanoTime() : stopped;
        longestGapNanos.accumulateAndGet(end - last, Math::max); // an answer still awaited at the stop counts too
    }

    private static boolean pause(Duration d) {
        if (d.isZero()) {
            return true;
        }
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops sending (each PNE's request in flight is waited for) and gives the figures. */
    Figures stop() {
        stopped = System.nanoTime();
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Figures(answered.get(), failed.get(), longestGapNanos.get() / 1_000_000, (stopped - started) / 1_000_000_000,
                List.copyOf(errors));
    }

    @Override
    public void close() {
        stop();
    }
}
