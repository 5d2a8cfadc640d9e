package io.cpns.gw.link;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: exponential from {@code initial} up to {@code max}, with full jitter (a random
 * delay between half and all of the step), so a fleet of gateways does not reconnect in lockstep
 * after a Server restart.
 */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private int attempt;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    Duration next() {
        long step = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt, 20));
        attempt++;
        return Duration.ofMillis(step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1));
    }

    void reset() {
        attempt = 0;
    }
}
