package io.cpns.launcher;

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
 * answer, pauses, and sends the next. Counts what is answered and what fails, and the longest a
 * PNE waited for an answer: with requests always in flight, that is the longest gap in answering.
 */
final class PneTraffic implements AutoCloseable {
    /** What the PNEs saw between the start and {@link #stop}. */
    record Figures(long answered, long failed, long longestWaitMillis, List<String> errors) {
    }

    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong longestNanos = new AtomicLong();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /** @param pnes PNEs that are members of a PN (the first of each is used) */
    PneTraffic(List<PneClient> pnes, Duration pause) {
        for (PneClient p : pnes) {
            String pn = p.pns().stream().map(PnState::pnId).findFirst()
                    .orElseThrow(() -> new DemoSteps.Failure(p.id() + " is in no PN"));
            Thread t = new Thread(() -> send(p, pn, pause), "cpns-traffic-" + p.id());
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void send(PneClient p, String pn, Duration pause) {
        byte[] data = new byte[8];
        while (running.get()) {
            long t0 = System.nanoTime();
            try {
                if (p.requestServer(pn, new Ping(data)) instanceof Pong) {
                    answered.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                if (errors.size() < 5) {
                    errors.add(p.id() + ": " + e.getMessage());
                }
            }
            long waited = System.nanoTime() - t0;
            longestNanos.accumulateAndGet(waited, Math::max);
            if (!pause.isZero()) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Stops sending (each PNE's request in flight is waited for) and gives the figures. */
    Figures stop() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Figures(answered.get(), failed.get(), longestNanos.get() / 1_000_000, List.copyOf(errors));
    }

    @Override
    public void close() {
        stop();
    }
}
