package io.cpns.gw.update;

import java.time.Duration;

/** Doubling waits between attempts, capped. Not thread-safe (one per download). */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    Duration next() {
        Duration d = next;
        next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
        return d;
    }

    void reset() {
        next = initial;
    }
}
