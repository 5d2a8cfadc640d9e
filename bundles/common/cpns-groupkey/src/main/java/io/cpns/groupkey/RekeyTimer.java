package io.cpns.groupkey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The periodic Group Key update (TS §5.3.2: "CPNS Server itself can update Group Key (e.g. for
 * periodic updates)"; seed 003 §5.3.2: "CSKMF itself can trigger Group Key update"), due by each
 * group's <em>key age</em>: a group is renewed when its current key is {@code period} old, counted
 * from when that key was made, not from when this timer started. A restart, or an update of the
 * bundle that owns the timer, therefore never postpones a rekey, and a key already overdue at start
 * is renewed at once. A key renewed for another reason (a join, a leave, the other CSKMF) starts its
 * age again, so the next periodic update moves with it.
 *
 * <p>Threads: the timer's own daemon thread calls {@code ages} and {@code rekey}, one group at a
 * time; both may block (a Group Key Manager is asked over the network). {@link #runDue()} is the
 * same step for a caller that drives time itself (tests with a controllable {@link Clock}).
 */
public final class RekeyTimer implements AutoCloseable {
    /** A group's current key: its epoch and when it was made (the clock of the one who made it). */
    public record KeyAge(String groupId, long epoch, Instant made) {
    }

    /** Wakes at least this often, so a wall clock that jumps, or keys written by another node, are seen soon. */
    static final Duration MAX_WAIT = Duration.ofHours(1);

    private final Clock clock;
    private final Duration period;
    private final Duration retry;
    private final Supplier<List<KeyAge>> ages;
    private final Consumer<KeyAge> rekey;
    private final BiConsumer<KeyAge, RuntimeException> failed;
    /** A group whose rekey failed waits until then (its manager may be offline): no busy loop. */
    private final Map<String, Instant> retryAt = new HashMap<>();
    private final ScheduledExecutorService executor;

    /**
     * @param period how old a key may get
     * @param retry  how long a group whose rekey failed waits before the next try
     * @param ages   every group's current key (read anew at each step: the store is the truth)
     * @param rekey  renews the group's key if it is still {@code epoch}, else does nothing; throws if it could not
     * @param failed told about each failed rekey (to log it)
     */
    public RekeyTimer(String threadName, Clock clock, Duration period, Duration retry, Supplier<List<KeyAge>> ages,
                      Consumer<KeyAge> rekey, BiConsumer<KeyAge, RuntimeException> failed) {
        if (period.isNegative() || period.isZero() || retry.isNegative() || retry.isZero()) {
            throw new IllegalArgumentException("period and retry must be positive");
        }
        this.clock = clock;
        this.period = period;
        this.retry = retry;
        this.ages = ages;
        this.rekey = rekey;
        this.failed = failed;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the timer thread: its first step runs at once (overdue keys are renewed now). */
    public RekeyTimer start() {
        schedule(Duration.ZERO);
        return this;
    }

    /**
     * Renews every group whose key is due by {@link #clock}, and says how long until the next one is.
     *
     * @return the time until the next group is due (or a failed one may be retried), at most {@link #MAX_WAIT}
     */
    public synchronized Duration runDue() {
        List<KeyAge> all;
        try {
            all = ages.get();
        } catch (RuntimeException e) {
            failed.accept(null, e);
            return retry;
        }
        Duration next = MAX_WAIT;
        Set<String> seen = new HashSet<>();
        for (KeyAge a : all) {
            seen.add(a.groupId());
            Instant now = clock.instant();
            Instant due = a.made().plus(period);
            Instant blocked = retryAt.get(a.groupId());
            if (blocked != null && blocked.isAfter(due)) {
                due = blocked;
            }
            if (due.isAfter(now)) {
                next = min(next, Duration.between(now, due));
                continue;
            }
            try {
                rekey.accept(a);
                retryAt.remove(a.groupId());
                next = min(next, period);
            } catch (RuntimeException e) {
                retryAt.put(a.groupId(), now.plus(retry));
                next = min(next, retry);
                failed.accept(a, e);
            }
        }
        retryAt.keySet().retainAll(seen); // deleted groups are forgotten
        return next;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private void step() {
        Duration next;
        try {
            next = runDue();
        } catch (RuntimeException e) { // never let the timer die
            failed.accept(null, e);
            next = retry;
        }
        schedule(next);
    }

    private void schedule(Duration delay) {
        try {
            executor.schedule(this::step, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closed meanwhile: nothing more to do
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
