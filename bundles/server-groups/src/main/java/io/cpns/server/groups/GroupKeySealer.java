package io.cpns.server.groups;

import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encrypts Group Keys for the database: AES-256-GCM under a key of the secret store (alias
 * {@value #ALIAS}, its own, created on first use), with group ID and epoch as associated data: a
 * sealed key moved to another group or epoch does not open. Layout: nonce (12) | ciphertext+tag.
 */
final class GroupKeySealer {
    static final String ALIAS = "server.group-db-key";

    private final byte[] dbKey;

    GroupKeySealer(SecretStore secrets) {
        dbKey = secrets.get(ALIAS).orElseGet(() -> {
            byte[] k = Randoms.bytes(32);
            secrets.put(ALIAS, k);
            return k;
        });
    }

    byte[] seal(String groupId, long epoch, byte[] groupKey) {
        byte[] nonce = Randoms.bytes(AeadCipher.NONCE_LENGTH);
        try (AeadCipher c = new AeadCipher(dbKey)) {
            return Bytes.concat(nonce, c.seal(nonce, aad(groupId, epoch), groupKey));
        }
    }

    /** @throws io.cpns.api.CpnsException {@code BAD_MAC} if the row was tampered with or moved */
    byte[] open(String groupId, long epoch, byte[] sealed) {
        try (AeadCipher c = new AeadCipher(dbKey)) {
            return c.open(Arrays.copyOf(sealed, AeadCipher.NONCE_LENGTH), aad(groupId, epoch),
                    Arrays.copyOfRange(sealed, AeadCipher.NONCE_LENGTH, sealed.length));
        }
    }

    void close() {
        Bytes.wipe(dbKey);
    }

    private static byte[] aad(String groupId, long epoch) {
        return Bytes.concat(("CPNS-v1 groupkey " + groupId + " ").getBytes(StandardCharsets.UTF_8), Bytes.longBE(epoch));
    }
}
