package io.cpns.api.message;

import java.util.Objects;

/** The Authentication response of one PNE: hash_PNE (seed 004 §5.2.1.1 steps 8-9). */
public record PneAuthResponse(byte[] hashPne) implements Message {
    public PneAuthResponse {
        Objects.requireNonNull(hashPne, "hashPne");
    }
}
