package io.cpns.server.update;

import java.time.Instant;
import java.util.List;

/**
 * One gateway in one rollout: where it stands and every status it sent.
 *
 * @param phase   as counted in {@link RolloutView#byPhase()}
 * @param history each state once, in the order received: state, failure (or null), detail (or null), when received
 */
public record GatewayProgress(String rolloutId, String gatewayId, int wave, String phase, Instant offeredAt, List<Step> history) {
    public record Step(String state, String failure, String detail, Instant receivedAt) {
    }
}
