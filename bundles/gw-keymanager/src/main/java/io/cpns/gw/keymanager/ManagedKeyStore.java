package io.cpns.gw.keymanager;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GroupKeyManager.ManagedGroup;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The last Group Key this PN GW created for each group it manages: one CBOR record per group in
 * the secret store ({@code gkm.<groupId>}), encrypted at rest and written atomically, so that a
 * restart or an update of this bundle between creating a key and the Server's notification still
 * lets the member PNEs here get it directly.
 */
final class ManagedKeyStore {
    static final String PREFIX = "gkm.";

    record Stored(String groupId, long epoch, String fingerprint, long created, byte[] key) {
    }

    private final SecretStore secrets;
    private final CBORMapper mapper = new CBORMapper();

    ManagedKeyStore(SecretStore secrets) {
        this.secrets = secrets;
    }

    void put(String groupId, long epoch, String fingerprint, byte[] key) {
        byte[] bytes = encode(new Stored(groupId, epoch, fingerprint, Instant.now().toEpochMilli(), key));
        try {
            secrets.put(PREFIX + groupId, bytes);
        } finally {
            Bytes.wipe(bytes);
        }
    }

    /** The record of a group, key included (the caller wipes {@code key()}). */
    Optional<Stored> get(String groupId) {
        return secrets.get(PREFIX + groupId).map(bytes -> {
            try {
                return decode(bytes);
            } finally {
                Bytes.wipe(bytes);
            }
        });
    }

    boolean forget(String groupId) {
        return secrets.delete(PREFIX + groupId);
    }

    List<ManagedGroup> all() {
        return secrets.aliases(PREFIX).stream().sorted().map(a -> get(a.substring(PREFIX.length())))
                .flatMap(Optional::stream)
                .map(s -> {
                    Bytes.wipe(s.key());
                    return new ManagedGroup(s.groupId(), s.epoch(), s.fingerprint(), Instant.ofEpochMilli(s.created()));
                }).toList();
    }

    private byte[] encode(Stored s) {
        try {
            return mapper.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.INTERNAL, "cannot encode managed Group Key record", e);
        }
    }

    private Stored decode(byte[] bytes) {
        try {
            return mapper.readValue(bytes, Stored.class);
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.INTERNAL, "unreadable managed Group Key record", e);
        }
    }
}
