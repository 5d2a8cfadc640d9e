package io.cpns.server.registry;

import io.cpns.api.EntityId;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AtRestSealer;
import java.nio.charset.StandardCharsets;

/**
 * Encrypts EUKeys for the database: AES-256-GCM under a database key held in the secret store
 * (alias {@value #ALIAS}, created on first use), the Entity ID as associated data. A database dump
 * or backup alone reveals no key; a sealed key moved to another entity's row does not open.
 * Layout: nonce (12) | ciphertext+tag.
 */
final class EuKeySealer {
    static final String ALIAS = "server.db-key";

    private final AtRestSealer sealer;

    EuKeySealer(SecretStore secrets) {
        sealer = AtRestSealer.of(secrets, ALIAS);
    }

    byte[] seal(EntityId entity, byte[] euKey) {
        return sealer.seal(aad(entity), euKey);
    }

    /** @throws io.cpns.api.CpnsException {@code BAD_MAC} if the row was tampered with or moved */
    byte[] open(EntityId entity, byte[] sealed) {
        return sealer.open(aad(entity), sealed);
    }

    void close() {
        sealer.close();
    }

    private static byte[] aad(EntityId entity) {
        return ("CPNS-v1 eukey " + entity.value()).getBytes(StandardCharsets.UTF_8);
    }
}
