package io.cpns.api.message;

import java.util.Objects;

/**
 * Server to PN GW: drop the offer of this rollout if it is not yet being applied. Answered with
 * {@link Ack}; the gateway then reports {@code CANCELLED}, or the state it had already reached
 * (an update being applied or in trial is carried through to COMMITTED or ROLLED_BACK).
 */
public record UpdateCancel(String rolloutId) implements Message {
    public UpdateCancel {
        Objects.requireNonNull(rolloutId, "rolloutId");
    }
}
