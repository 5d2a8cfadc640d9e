package io.cpns.api.message;

import java.util.Objects;

/** The initiator proves it holds the PSK: the seed's {@code hash_PNE} (seed 004 step 8). */
public record SessionProof(byte[] proof) implements Message {
    public SessionProof {
        Objects.requireNonNull(proof, "proof");
    }
}
