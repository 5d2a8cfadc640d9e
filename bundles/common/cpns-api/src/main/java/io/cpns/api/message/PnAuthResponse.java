package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/** The Authentication responses of a batch, PN GW to Server (seed 004 §5.2.1.1 step 10). */
public record PnAuthResponse(String pnId, int batch, List<PneProof> results) implements Message {
    public PnAuthResponse {
        Objects.requireNonNull(pnId, "pnId");
        results = Maps.of(results);
    }
}
