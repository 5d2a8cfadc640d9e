package io.cpns.api.message;

import java.util.Objects;

/**
 * Key Assignment Response (seed 001 §7.x.2.3.3), Server to PN GW to PNE: RANDSVR, the KeyPNE
 * wrapped under the KEK, and the response authenticator (decisions.md D44). A failure travels as
 * an {@code error} with its own code instead.
 */
public record KaResponse(byte[] randSvr, byte[] wrappedKey, byte[] auth) implements Message {
    public KaResponse {
        Objects.requireNonNull(randSvr, "randSvr");
        Objects.requireNonNull(wrappedKey, "wrappedKey");
        Objects.requireNonNull(auth, "auth");
    }
}
