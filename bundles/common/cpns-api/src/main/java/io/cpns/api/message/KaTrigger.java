package io.cpns.api.message;

import java.util.Objects;

/**
 * Key Assignment Trigger (seed 001 §7.x.2.3.1), PN GW to PNE: ID, Nonce, Time (seconds since the
 * epoch) and {@code auth}, by which the PNE checks that its user started it. Answered with
 * {@code ack} once the PNE holds its KeyPNE, or with the error that stopped it.
 */
public record KaTrigger(String userId, byte[] nonce, long time, byte[] auth) implements Message {
    public KaTrigger {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(auth, "auth");
    }
}
