package io.cpns.server.update;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A rollout and its figures.
 *
 * @param byPhase       gateways per phase: WAITING, DUE, OFFERED, the {@link io.cpns.api.update.UpdateState}s, TIMED_OUT
 * @param medianInstall median time from offer acknowledged to COMMITTED, or null if none committed yet
 */
public record RolloutView(String rolloutId, long releaseSeq, String target, String waves, int successPercent, int failurePercent,
                          Duration soak, Duration deadline, String window, String state, String reason, Instant createdAt,
                          Map<String, Integer> byPhase, List<WaveView> waveFigures, Duration medianInstall) {
    /** One wave. */
    public record WaveView(int wave, int size, Instant startedAt, Instant successAt, int committed, int failed, int cancelled) {
    }

    public int gateways() {
        return byPhase.values().stream().mapToInt(Integer::intValue).sum();
    }
}
