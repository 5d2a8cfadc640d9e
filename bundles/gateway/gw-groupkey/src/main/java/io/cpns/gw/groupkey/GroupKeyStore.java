package io.cpns.gw.groupkey;

import io.cpns.api.gateway.GatewayGroup;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.codec.CborRecord;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Group Keys this PN GW holds: one CBOR record per group in the secret store
 * ({@code gk.<groupId>}): encrypted at rest, written atomically, so a restart or an update of this
 * bundle keeps them. An older epoch never replaces a newer one. A record that does not read back
 * costs only its group, which the Server gives again ({@link Records}).
 */
final class GroupKeyStore {
    static final String PREFIX = KeyStoreAliases.GROUP_KEY;
    private static final String WHAT = "Group Key record";

    record Stored(String groupId, long epoch, String fingerprint, List<String> members, long received, byte[] key) {
    }

    private static final CborRecord<Stored> RECORD = new CborRecord<>(PREFIX, Stored.class, WHAT,
            s -> s.groupId() != null && s.key() != null && s.members() != null);

    private final Records records;
    private final Map<String, GatewayGroup> groups = new ConcurrentHashMap<>();

    GroupKeyStore(Records records) {
        this.records = records;
        for (String alias : records.aliases(PREFIX)) {
            records.read(alias, WHAT, RECORD::decode).ifPresent(s -> {
                Bytes.wipe(s.key());
                groups.put(s.groupId(), view(s));
            });
        }
    }

    List<GatewayGroup> all() {
        return groups.values().stream().sorted(java.util.Comparator.comparing(GatewayGroup::groupId)).toList();
    }

    Optional<GatewayGroup> get(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    /**
     * Stores the key of {@code epoch}; false (nothing stored) if this PN GW holds that epoch or a
     * newer one. The key is in force once this returns, even if the disk could not take it yet.
     */
    synchronized boolean put(String groupId, long epoch, List<String> members, byte[] key) {
        GatewayGroup held = groups.get(groupId);
        if (held != null && held.epoch() >= epoch) {
            return false;
        }
        Stored s = new Stored(groupId, epoch, Suites.fingerprint(key), List.copyOf(members), Instant.now().toEpochMilli(), key);
        byte[] bytes = RECORD.encode(s);
        try {
            records.write(RECORD.alias(groupId), WHAT, bytes);
        } finally {
            Bytes.wipe(bytes);
        }
        groups.put(groupId, view(s));
        return true;
    }

    /** The group has no member here any more, or was deleted: its key goes. */
    synchronized boolean forget(String groupId) {
        records.delete(RECORD.alias(groupId));
        return groups.remove(groupId) != null;
    }

    /** Its record was quarantined: the group is not held here until the Server gives it again (not synchronized: called from {@link Records}). */
    void lost(String groupId) {
        groups.remove(groupId);
    }

    /** A copy of the key of the held epoch (the caller wipes it); empty if its record no longer reads back. */
    Optional<byte[]> key(String groupId) {
        return records.read(RECORD.alias(groupId), WHAT, RECORD::decode).map(Stored::key);
    }

    private static GatewayGroup view(Stored s) {
        return new GatewayGroup(s.groupId(), s.epoch(), s.fingerprint(), s.members(), Instant.ofEpochMilli(s.received()));
    }

}
