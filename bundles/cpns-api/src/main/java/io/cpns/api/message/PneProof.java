package io.cpns.api.message;

import java.util.Objects;

/** hash_PNE of one PNE, relayed to the Server (seed 004 step 10). */
public record PneProof(String pneId, byte[] hashPne) {
    public PneProof {
        Objects.requireNonNull(pneId, "pneId");
        Objects.requireNonNull(hashPne, "hashPne");
    }
}
