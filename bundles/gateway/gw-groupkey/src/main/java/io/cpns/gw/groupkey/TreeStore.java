package io.cpns.gw.groupkey;

import io.cpns.api.FaultPoints;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.codec.CborRecord;
import io.cpns.crypto.Bytes;
import io.cpns.groupkey.KeyTree;
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

    private static final CborRecord<Stored> RECORD = new CborRecord<>(PREFIX, Stored.class, WHAT,
            s -> s.tree() != null && s.tree().groupId() != null);

    private final Records records;

    TreeStore(Records records) {
        this.records = records;
    }

    Map<String, Stored> loadAll() {
        Map<String, Stored> all = new HashMap<>();
        for (String alias : records.aliases(PREFIX)) {
            records.read(alias, WHAT, RECORD::decode).ifPresent(s -> all.put(s.tree().groupId(), s));
        }
        return all;
    }

    void put(KeyTree tree, byte[] retained) {
        KeyTree.Snapshot s = tree.snapshot();
        byte[] bytes = null;
        try {
            bytes = RECORD.encode(new Stored(s, retained));
            if (records.write(RECORD.alias(tree.groupId()), WHAT, bytes)) {
                FaultPoints.reach("groupkey.tree.stored"); // on disk, its broadcast not yet published
            }
        } finally {
            s.nodes().forEach(n -> Bytes.wipe(n.key()));
            if (bytes != null) {
                Bytes.wipe(bytes);
            }
        }
    }

    void delete(String groupId) {
        records.delete(RECORD.alias(groupId));
    }

    /** Every tree goes: they were made under broadcast keys this PN GW no longer has ({@link BroadcastKeys#renewed}). */
    void deleteAll() {
        records.aliases(PREFIX).forEach(records::delete);
    }
}
