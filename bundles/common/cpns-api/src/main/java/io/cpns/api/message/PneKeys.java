package io.cpns.api.message;

import java.util.Objects;

/**
 * What the Server prepared for one PNE of a PN Registration (seed 004 step 5).
 *
 * @param pneId                the PNE
 * @param status               0 if the PNE may join; otherwise an error code (protocol.md §5),
 *                             e.g. UNKNOWN_ENTITY or FORBIDDEN
 * @param localEuKeyForPne     LocalEUKey wrapped under the PNE's EUKey (null if not requested)
 * @param localEuKeyForGateway the same LocalEUKey wrapped under the PN GW's EUKey
 */
public record PneKeys(String pneId, int status, byte[] localEuKeyForPne, byte[] localEuKeyForGateway) {
    public PneKeys {
        Objects.requireNonNull(pneId, "pneId");
    }
}
