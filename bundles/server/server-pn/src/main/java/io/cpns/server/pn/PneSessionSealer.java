package io.cpns.server.pn;

import io.cpns.api.EntityId;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AtRestSealer;
import io.cpns.crypto.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Encrypts SK_PNE for the database: AES-256-GCM under a key of the secret store (alias
 * {@value #ALIAS}, its own, created on first use), with PN ID and PNE as associated data, so a
 * sealed key moved to another PNE's row does not open.
 */
final class PneSessionSealer {
    static final String ALIAS = "server.pne-session-db-key";

    private final AtRestSealer sealer;

    PneSessionSealer(SecretStore secrets) {
        sealer = AtRestSealer.of(secrets, ALIAS);
    }

    byte[] seal(String pnId, EntityId pne, byte[] sk) {
        return sealer.seal(aad(pnId, pne), sk);
    }

    /** @throws io.cpns.api.CpnsException {@code BAD_MAC} if the row was tampered with or moved */
    byte[] open(String pnId, EntityId pne, byte[] sealed) {
        return sealer.open(aad(pnId, pne), sealed);
    }

    void close() {
        sealer.close();
    }

    private static byte[] aad(String pnId, EntityId pne) {
        return Bytes.concat("CPNS-v1 sk_pne ".getBytes(StandardCharsets.US_ASCII), Bytes.lengthPrefixed(
                pnId.getBytes(StandardCharsets.UTF_8), pne.value().getBytes(StandardCharsets.UTF_8)));
    }
}
