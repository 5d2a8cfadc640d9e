package io.cpns.server.registry;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FailureLimiter;
import io.cpns.api.UserId;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a password check must pass before Argon2id runs. Each check holds {@code m} KiB of heap
 * (19 MiB by default), so only {@code permits} run at once; an attempt waits up to {@code queue}
 * for one and is then refused {@code BUSY}. Failed checks are counted per CPNS User and per source
 * (two limiters, so a flood of made-up user IDs cannot push the sources out, nor the reverse); an
 * attempt whose user or source is still waiting is refused {@code RATE_LIMITED} without being
 * checked, so an attacker's guesses cost them time instead of costing the Server memory and CPU.
 * Unknown users go through exactly the same steps as known ones.
 */
final class PasswordGate {
    /** What an attempt came to, for the caller's one log line. */
    enum Outcome { PASSED, AUTH_FAILED, RATE_LIMITED, BUSY }

    /** The outcome, and for a refusal how long the user or source still has to wait. */
    record Verdict(Outcome outcome, Duration backoff) {
    }

    private final Semaphore permits;
    private final Duration queue;
    private final FailureLimiter users;
    private final FailureLimiter sources;

    PasswordGate(int permits, Duration queue, FailureLimiter users, FailureLimiter sources) {
        if (permits < 1 || queue.isNegative()) {
            throw new IllegalArgumentException("permits >= 1, queue >= 0");
        }
        this.permits = new Semaphore(permits, true);
        this.queue = queue;
        this.users = users;
        this.sources = sources;
    }

    /**
     * Checks needed when not configured: no more than the processors can run (Argon2id is CPU
     * bound, more at once only adds latency) and no more than a quarter of the max heap holds.
     */
    static int permitsFor(int configured, long maxHeapBytes, int memoryKiB, int processors) {
        if (configured > 0) {
            return configured;
        }
        long byHeap = maxHeapBytes / 4 / (memoryKiB * 1024L);
        return (int) Math.max(1, Math.min(processors, byHeap));
    }

    /**
     * Runs {@code verify} (the password check) if {@code user} and {@code source} may try now and
     * a permit frees up in time, and counts its result.
     */
    Verdict check(UserId user, String source, BooleanSupplier verify) {
        Verdict limited = limited(user, source);
        if (limited != null) {
            return limited;
        }
        if (!acquire()) {
            return new Verdict(Outcome.BUSY, Duration.ZERO);
        }
        try {
            limited = limited(user, source); // failures counted while this attempt waited
            if (limited != null) {
                return limited;
            }
            if (verify.getAsBoolean()) {
                users.succeeded(key(user)); // not the source: one known password must not clear a spray from it
                return new Verdict(Outcome.PASSED, Duration.ZERO);
            }
            Duration wait = users.failed(key(user));
            Duration sourceWait = sources.failed(source);
            return new Verdict(Outcome.AUTH_FAILED, wait.compareTo(sourceWait) >= 0 ? wait : sourceWait);
        } finally {
            permits.release();
        }
    }

    /** Runs {@code work} (a hash at registration) under a permit, {@code BUSY} if none frees up in time. */
    <T> T withPermit(Supplier<T> work) {
        if (!acquire()) {
            throw new CpnsException(ErrorCode.BUSY, "too many password checks at once; try again shortly");
        }
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }

    /** A permit within the queue time; the caller releases it. */
    private boolean acquire() {
        try {
            return permits.tryAcquire(queue.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the Server is stopping");
        }
    }

    private Verdict limited(UserId user, String source) {
        Duration u = users.delay(key(user));
        Duration s = sources.delay(source);
        Duration wait = u.compareTo(s) >= 0 ? u : s;
        return wait.isZero() ? null : new Verdict(Outcome.RATE_LIMITED, wait);
    }

    private static String key(UserId user) {
        return user.value();
    }
}
