package io.cpns.gw.pan;

import io.cpns.api.store.SecretStore;
import java.util.Optional;

/**
 * The PSK a PN GW shares with a PNE for their secure session (TS §5.3.3.1.1): its LocalEUKey
 * (seed 004 step 6) if it has one, else its pre-assigned key (seed 004 R01).
 */
final class Keys {
    static final String LOCAL_EUKEY = "lek.";
    static final String PRE_ASSIGNED = "pak.";

    private Keys() {
    }

    /** A copy the caller wipes, or empty. Unknown or malformed IDs simply have no key. */
    static Optional<byte[]> pskFor(SecretStore secrets, String pneId) {
        try {
            Optional<byte[]> lek = secrets.get(LOCAL_EUKEY + pneId);
            return lek.isPresent() ? lek : secrets.get(PRE_ASSIGNED + pneId);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
