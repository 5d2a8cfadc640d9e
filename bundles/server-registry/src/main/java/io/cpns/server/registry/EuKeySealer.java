package io.cpns.server.registry;

import io.cpns.api.EntityId;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encrypts EUKeys for the database: AES-256-GCM under a database key held in the secret store
 * (alias {@value #ALIAS}, created on first use), the Entity ID as associated data. A database dump
 * or backup alone reveals no key; a sealed key moved to another entity's row does not open.
 * Layout: nonce (12) | ciphertext+tag.
 */
final class EuKeySealer {
    static final String ALIAS = "server.db-key";

    private final byte[] dbKey;

    EuKeySealer(SecretStore secrets) {
        dbKey = secrets.get(ALIAS).orElseGet(() -> {
            byte[] k = Randoms.bytes(32);
            secrets.put(ALIAS, k);
            return k;
        });
    }

    byte[] seal(EntityId entity, byte[] euKey) {
        byte[] nonce = Randoms.bytes(AeadCipher.NONCE_LENGTH);
        try (AeadCipher c = new AeadCipher(dbKey)) {
            return Bytes.concat(nonce, c.seal(nonce, aad(entity), euKey));
        }
    }

    /** @throws io.cpns.api.CpnsException {@code BAD_MAC} if the row was tampered with or moved */
    byte[] open(EntityId entity, byte[] sealed) {
        try (AeadCipher c = new AeadCipher(dbKey)) {
            return c.open(Arrays.copyOf(sealed, AeadCipher.NONCE_LENGTH), aad(entity),
                    Arrays.copyOfRange(sealed, AeadCipher.NONCE_LENGTH, sealed.length));
        }
    }

    void close() {
        Bytes.wipe(dbKey);
    }

    private static byte[] aad(EntityId entity) {
        return ("CPNS-v1 eukey " + entity.value()).getBytes(StandardCharsets.UTF_8);
    }
}
