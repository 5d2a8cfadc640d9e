package io.cpns.server.groups;

import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AtRestSealer;
import io.cpns.crypto.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Encrypts Group Keys for the database: AES-256-GCM under a key of the secret store (alias
 * {@value #ALIAS}, its own, created on first use), with group ID and epoch as associated data: a
 * sealed key moved to another group or epoch does not open. Layout: nonce (12) | ciphertext+tag.
 */
final class GroupKeySealer {
    static final String ALIAS = "server.group-db-key";

    private final AtRestSealer sealer;

    GroupKeySealer(SecretStore secrets) {
        sealer = AtRestSealer.of(secrets, ALIAS);
    }

    byte[] seal(String groupId, long epoch, byte[] groupKey) {
        return sealer.seal(aad(groupId, epoch), groupKey);
    }

    /** @throws io.cpns.api.CpnsException {@code BAD_MAC} if the row was tampered with or moved */
    byte[] open(String groupId, long epoch, byte[] sealed) {
        return sealer.open(aad(groupId, epoch), sealed);
    }

    void close() {
        sealer.close();
    }

    private static byte[] aad(String groupId, long epoch) {
        return Bytes.concat(("CPNS-v1 groupkey " + groupId + " ").getBytes(StandardCharsets.UTF_8), Bytes.longBE(epoch));
    }
}
