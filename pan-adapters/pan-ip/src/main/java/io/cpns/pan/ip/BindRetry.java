package io.cpns.pan.ip;

import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.service.log.Logger;

/**
 * Binds a socket now or, while its address is taken (another process, our own previous instance
 * still closing) or not yet there (a LAN address not up at boot), again and again: after
 * {@code firstMillis}, doubling up to 30 s. Meanwhile {@link #problem()} says what is wrong, for
 * health; the log has a line at the first failure, then one per minute at most, and one when bound.
 */
final class BindRetry<T> {
    static final long MAX_MILLIS = 30_000;

    interface Bind<T> {
        T bind() throws IOException;
    }

    private final String what;
    private final Bind<T> bind;
    private final Consumer<T> bound;
    private final ScheduledExecutorService timer;
    private final long firstMillis;
    private final Logger log;
    private int failures;
    private long lastLogMillis;
    private boolean cancelled;
    private volatile String problem;

    /**
     * @param what  what is bound, for health and the log ({@code TCP port 7800 on 127.0.0.1})
     * @param bound takes the bound socket (on the timer thread after a retry)
     */
    BindRetry(String what, Bind<T> bind, Consumer<T> bound, ScheduledExecutorService timer, long firstMillis, Logger log) {
        this.what = what;
        this.bind = bind;
        this.bound = bound;
        this.timer = timer;
        this.firstMillis = Math.max(1, firstMillis);
        this.log = log;
    }

    /** The first attempt, on the caller's thread. */
    void start() {
        attempt();
    }

    /** The line health reports while unbound, else null. */
    String problem() {
        return problem;
    }

    synchronized void cancel() {
        cancelled = true;
        problem = null;
    }

    private synchronized void attempt() {
        if (cancelled) {
            return;
        }
        T socket;
        try {
            socket = bind.bind();
        } catch (IOException | RuntimeException e) {
            failures++;
            long next = Math.min(MAX_MILLIS, firstMillis << Math.min(failures - 1, 20));
            problem = "pan-ip cannot bind " + what + ": " + e.getMessage() + "; retrying (back-off up to "
                    + MAX_MILLIS / 1000 + " s): free the port, or change it in cpns.pan.ip";
            long now = System.currentTimeMillis();
            if (failures == 1 || now - lastLogMillis >= 60_000) {
                lastLogMillis = now;
                log.warn("{} (attempt {})", problem, failures);
            }
            timer.schedule(this::attempt, next, TimeUnit.MILLISECONDS);
            return;
        }
        if (failures > 0) {
            log.info("pan-ip bound {} after {} failed attempts", what, failures);
        }
        problem = null;
        bound.accept(socket);
    }
}
