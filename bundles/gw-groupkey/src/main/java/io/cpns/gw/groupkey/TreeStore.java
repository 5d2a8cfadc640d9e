package io.cpns.gw.groupkey;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.crypto.Bytes;
import io.cpns.groupkey.KeyTree;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The key trees of this PN GW's broadcast groups, one record per group in the secret store
 * ({@code gt.<groupId>}): the tree (with every member's individual key, so encrypted at rest and
 * written atomically) and the last signed broadcast, which the broker retains and gets again
 * after a restart. A bundle update or a restart thus neither re-keys nor forgets anyone. A tree
 * that does not read back is quarantined and rebuilt ({@link Records}); the other groups' load.
 */
final class TreeStore {
    static final String PREFIX = KeyStoreAliases.GROUP_TREE;
    private static final String WHAT = "key tree";

    record Stored(KeyTree.Snapshot tree, byte[] retained) {
    }

    private final Records records;
    private final CBORMapper mapper = new CBORMapper();

    TreeStore(Records records) {
        this.records = records;
    }

    Map<String, Stored> loadAll() {
        Map<String, Stored> all = new HashMap<>();
        for (String alias : records.aliases(PREFIX)) {
            records.read(alias, WHAT, this::decode).ifPresent(s -> all.put(s.tree().groupId(), s));
        }
        return all;
    }

    void put(KeyTree tree, byte[] retained) {
        KeyTree.Snapshot s = tree.snapshot();
        byte[] bytes = null;
        try {
            bytes = mapper.writeValueAsBytes(new Stored(s, retained));
            if (records.write(PREFIX + tree.groupId(), WHAT, bytes)) {
                FaultPoints.reach("groupkey.tree.stored"); // on disk, its broadcast not yet published
            }
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
        records.delete(PREFIX + groupId);
    }

    /** Every tree goes: they were made under broadcast keys this PN GW no longer has ({@link BroadcastKeys#renewed}). */
    void deleteAll() {
        records.aliases(PREFIX).forEach(records::delete);
    }

    private Stored decode(byte[] bytes) {
        try {
            Stored s = mapper.readValue(bytes, Stored.class);
            if (s.tree() == null || s.tree().groupId() == null) {
                throw new CpnsException(ErrorCode.INTERNAL, "incomplete key tree record");
            }
            return s;
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.INTERNAL, "unreadable key tree record");
        }
    }
}
