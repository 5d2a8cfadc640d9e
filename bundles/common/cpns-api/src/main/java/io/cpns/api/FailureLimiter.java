package io.cpns.api;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Back-off after failed attempts, per key (a source address, a CPNS User, an Entity ID): the first
 * {@code free} failures cost nothing, each further one doubles the wait before the next attempt,
 * from {@code base} up to {@code max}. A key that stays quiet for {@code max} after its last failure
 * is forgotten, and so is one that succeeds. At most {@code maxKeys} keys are remembered (the
 * oldest go first), so a flood of made-up keys cannot exhaust memory; it can only make the
 * limiter forget, which {@code maxKeys} far above any honest population keeps theoretical.
 *
 * <p>Thread-safe; every method is O(1) and never blocks beyond a short lock. The caller refuses an
 * attempt while {@link #delay} is positive ({@link ErrorCode#RATE_LIMITED}) instead of sleeping, so
 * a waiting attacker holds no thread.
 */
public final class FailureLimiter {
    private final int free;
    private final long baseMillis;
    private final long maxMillis;
    private final int maxKeys;
    private final Clock clock;
    private final Map<String, long[]> failures; // key -> {count, last failure millis}

    public FailureLimiter(int free, Duration base, Duration max, int maxKeys, Clock clock) {
        if (free < 0 || base.isNegative() || max.compareTo(base) < 0 || maxKeys < 1) {
            throw new IllegalArgumentException("free >= 0, 0 <= base <= max, maxKeys >= 1");
        }
        this.free = free;
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.maxKeys = maxKeys;
        this.clock = clock;
        this.failures = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > FailureLimiter.this.maxKeys;
            }
        };
    }

    public FailureLimiter(int free, Duration base, Duration max) {
        this(free, base, max, 10_000, Clock.systemUTC());
    }

    /** How long {@code key} must still wait before its next attempt is checked; zero if it may try now. */
    public synchronized Duration delay(String key) {
        long[] f = failures.get(key);
        if (f == null) {
            return Duration.ZERO;
        }
        long now = clock.millis();
        if (now - f[1] >= maxMillis + waitMillis(f[0])) {
            failures.remove(key);
            return Duration.ZERO;
        }
        return Duration.ofMillis(Math.max(0, f[1] + waitMillis(f[0]) - now));
    }

    /** Records a failed attempt of {@code key}; returns the wait it now has before its next one. */
    public synchronized Duration failed(String key) {
        long now = clock.millis();
        long[] f = failures.get(key);
        if (f == null || now - f[1] >= maxMillis + waitMillis(f[0])) {
            f = new long[] {0, now};
            failures.put(key, f);
        }
        f[0]++;
        f[1] = now;
        return Duration.ofMillis(waitMillis(f[0]));
    }

    /** A successful attempt: the key starts afresh. */
    public synchronized void succeeded(String key) {
        failures.remove(key);
    }

    /** Failures counted for {@code key} (0 if none or forgotten): for logs and tests. */
    public synchronized long failures(String key) {
        long[] f = failures.get(key);
        return f == null ? 0 : f[0];
    }

    private long waitMillis(long count) {
        if (count <= free) {
            return 0;
        }
        long n = Math.min(count - free - 1, 40);
        long w = baseMillis << n;
        return w < 0 || w > maxMillis ? maxMillis : w;
    }
}
