package io.cpns.server.update;

import java.time.Duration;
import java.util.Objects;

/**
 * What an operator asks for when starting a rollout (docs/updates.md §5).
 *
 * @param rolloutId      its ID (Entity ID syntax), or null for one made from the release and the time
 * @param releaseSeq     a published release
 * @param target         which gateways
 * @param waves          e.g. {@code 5,10%,50%,100%} (cumulative: a count or a share of the targets)
 * @param successPercent share of a wave that must commit before the next wave
 * @param failurePercent share of a wave whose failure pauses the rollout (at least one gateway)
 * @param soak           time a wave runs after meeting its success threshold before the next starts
 * @param deadline       time a gateway of a started wave has to reach a final state
 * @param window         maintenance window {@code HH:MM-HH:MM} in the gateway's local time, or null
 */
public record RolloutRequest(String rolloutId, long releaseSeq, Target target, String waves, int successPercent, int failurePercent,
                             Duration soak, Duration deadline, String window) {
    public RolloutRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(waves, "waves");
        Objects.requireNonNull(soak, "soak");
        Objects.requireNonNull(deadline, "deadline");
    }
}
