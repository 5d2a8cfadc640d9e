package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * The Server's Authentication request for the PNEs of a PN (seed 004 §5.2.1.1 step 5), carried
 * as the response to {@link PnRegisterRequest}: rand_server and the wrapped LocalEUKeys.
 */
public record PnAuthRequest(String pnId, int batch, byte[] randServer, List<PneKeys> pnes) implements Message {
    public PnAuthRequest {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(randServer, "randServer");
        pnes = Maps.of(pnes);
    }
}
