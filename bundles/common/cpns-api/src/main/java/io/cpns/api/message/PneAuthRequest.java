package io.cpns.api.message;

import java.util.Objects;

/**
 * The Authentication request relayed by the PN GW to one PNE (seed 004 §5.2.1.1 steps 6-7).
 *
 * @param pnId              the PN
 * @param randServer        rand_server
 * @param wrappedLocalEuKey the PNE's copy of its LocalEUKey, wrapped under the PNE's EUKey, or
 *                          null if none was requested
 */
public record PneAuthRequest(String pnId, byte[] randServer, byte[] wrappedLocalEuKey) implements Message {
    public PneAuthRequest {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(randServer, "randServer");
    }
}
