package io.cpns.server.update.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where a rollout stands, for operators and tests.
 *
 * @param state          the rollout's state
 * @param reason         why it is paused (or was completed, cancelled), or null
 * @param byPhase        gateways per {@link Phase}, every phase present, in the enum's order
 * @param waves          per wave
 * @param medianInstall  median time from offer acknowledged to COMMITTED, or null if none committed
 */
public record Figures(Rollout.State state, String reason, Map<Phase, Integer> byPhase, List<WaveFigures> waves,
                      Duration medianInstall) {
    /** One wave: its size, when it started, and its counts. */
    public record WaveFigures(int wave, int size, java.time.Instant startedAt, java.time.Instant successAt, int committed, int failed,
                              int cancelled) {
    }

    public int total() {
        return byPhase.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int count(Phase p) {
        return byPhase.get(p);
    }
}
