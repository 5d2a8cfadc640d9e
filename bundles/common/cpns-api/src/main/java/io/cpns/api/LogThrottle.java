package io.cpns.api;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps a peer from flooding the log: at most {@code burst} lines per key (a source address, a
 * kind of refusal) in each {@code window}; the rest are counted, and the first line allowed after
 * a quiet spell says how many were left out. Pair it with {@link Strings#printable} for every
 * peer-supplied string, so a peer can neither forge lines nor make one line long.
 *
 * <pre>{@code
 * LogThrottle.Decision d = throttle.allow(remoteAddress);
 * if (d.log()) log.warn("refused {}: {}{}", who, reason, d.suffix());
 * }</pre>
 *
 * Thread-safe, bounded to {@code maxKeys} keys (least recently used go first).
 */
public final class LogThrottle {
    /** Whether to write this line, and how many like it were left out since the last one written. */
    public record Decision(boolean log, long suppressed) {
        /** {@code " (N similar lines suppressed)"}, or empty. */
        public String suffix() {
            return suppressed == 0 ? "" : " (" + suppressed + " similar lines suppressed)";
        }
    }

    private static final Decision SKIP = new Decision(false, 0);

    private final int burst;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, long[]> keys; // key -> {window start, lines in window, suppressed}

    public LogThrottle(int burst, Duration window, int maxKeys, Clock clock) {
        if (burst < 1 || window.isNegative() || window.isZero() || maxKeys < 1) {
            throw new IllegalArgumentException("burst >= 1, window > 0, maxKeys >= 1");
        }
        this.burst = burst;
        this.windowMillis = window.toMillis();
        this.clock = clock;
        this.keys = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** Five lines per key a minute, 1000 keys. */
    public LogThrottle() {
        this(5, Duration.ofMinutes(1), 1000, Clock.systemUTC());
    }

    public synchronized Decision allow(String key) {
        long now = clock.millis();
        long[] k = keys.get(key);
        if (k == null) {
            keys.put(key, new long[] {now, 1, 0});
            return new Decision(true, 0);
        }
        if (now - k[0] >= windowMillis) {
            long suppressed = k[2];
            k[0] = now;
            k[1] = 1;
            k[2] = 0;
            return new Decision(true, suppressed);
        }
        if (k[1] < burst) {
            k[1]++;
            return new Decision(true, 0);
        }
        k[2]++;
        return SKIP;
    }
}
