package io.cpns.server.update.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * What the operator set for a rollout (docs/updates.md §5).
 *
 * @param waves          the waves ({@link WavePlan})
 * @param successPercent share of a wave's gateways that must report COMMITTED before the next wave may start
 * @param failurePercent share of a wave's gateways whose failure pauses the rollout (at least one gateway)
 * @param soak           how long a wave runs after meeting its success threshold before the next one starts
 * @param deadline       how long a gateway of a started wave has to reach a final state; silence past it is a failure
 * @param window         maintenance window passed to the gateway ({@code HH:MM-HH:MM}, its local time), or null
 */
public record RolloutPolicy(WavePlan waves, int successPercent, int failurePercent, Duration soak, Duration deadline, String window) {
    private static final java.util.regex.Pattern WINDOW = java.util.regex.Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d");

    public RolloutPolicy {
        Objects.requireNonNull(waves, "waves");
        Objects.requireNonNull(soak, "soak");
        Objects.requireNonNull(deadline, "deadline");
        if (successPercent < 1 || successPercent > 100) {
            throw new IllegalArgumentException("success threshold must be 1..100 (%), not " + successPercent);
        }
        if (failurePercent < 0 || failurePercent > 100) {
            throw new IllegalArgumentException("failure threshold must be 0..100 (%), not " + failurePercent);
        }
        if (soak.isNegative()) {
            throw new IllegalArgumentException("soak must not be negative");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive");
        }
        if (window != null && !WINDOW.matcher(window).matches()) {
            throw new IllegalArgumentException("window must be HH:MM-HH:MM (24 h, the gateway's local time), not " + window);
        }
    }

    /** Gateways of a wave of {@code size} that must commit: the success threshold, rounded up. */
    int successNeeded(int size) {
        return (int) ((size * (long) successPercent + 99) / 100);
    }

    /** Failures in a wave of {@code size} that pause the rollout: the failure threshold, rounded up, at least 1. */
    int failuresToPause(int size) {
        return (int) Math.max(1, (size * (long) failurePercent + 99) / 100);
    }
}
