package io.cpns.gw.groupkey;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.groupkey.KeyTree;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The key trees of this PN GW's broadcast groups, one record per group in the secret store
 * ({@code gt.<groupId>}): the tree (with every member's individual key, so encrypted at rest and
 * written atomically) and the last signed broadcast, which the broker retains and gets again
 * after a restart. A bundle update or a restart thus neither re-keys nor forgets anyone.
 */
final class TreeStore {
    static final String PREFIX = "gt.";

    record Stored(KeyTree.Snapshot tree, byte[] retained) {
    }

    private final SecretStore secrets;
    private final CBORMapper mapper = new CBORMapper();

    TreeStore(SecretStore secrets) {
        this.secrets = secrets;
    }

    Map<String, Stored> loadAll() {
        Map<String, Stored> all = new HashMap<>();
        for (String alias : secrets.aliases(PREFIX)) {
            secrets.get(alias).ifPresent(bytes -> {
                try {
                    Stored s = mapper.readValue(bytes, Stored.class);
                    all.put(s.tree().groupId(), s);
                } catch (IOException e) {
                    throw new CpnsException(ErrorCode.INTERNAL, "unreadable key tree " + alias, e);
                } finally {
                    Bytes.wipe(bytes);
                }
            });
        }
        return all;
    }

    void put(KeyTree tree, byte[] retained) {
        KeyTree.Snapshot s = tree.snapshot();
        byte[] bytes = null;
        try {
            bytes = mapper.writeValueAsBytes(new Stored(s, retained));
            secrets.put(PREFIX + tree.groupId(), bytes);
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.INTERNAL, "cannot encode key tree of " + tree.groupId(), e);
        } finally {
            s.nodes().forEach(n -> Bytes.wipe(n.key()));
            if (bytes != null) {
                Bytes.wipe(bytes);
            }
        }
    }

    void delete(String groupId) {
        secrets.delete(PREFIX + groupId);
    }
}
