package io.cpns.api.message;

import java.util.Objects;

/**
 * hash_PNE of one PNE, relayed to the Server (seed 004 step 10), with the protection of the link
 * it came over as the PN GW saw it ({@code none}, {@code pan}, {@code session}, {@code tls}; absent:
 * not reported), which the Server records to check the security level within the PN (seed 003).
 */
public record PneProof(String pneId, byte[] hashPne, String protection) {
    public PneProof {
        Objects.requireNonNull(pneId, "pneId");
        Objects.requireNonNull(hashPne, "hashPne");
    }

    /** A proof without the link's protection (an older PN GW). */
    public PneProof(String pneId, byte[] hashPne) {
        this(pneId, hashPne, null);
    }
}
