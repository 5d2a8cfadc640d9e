package io.cpns.server.store.internal;

import io.cpns.api.EntityId;
import io.cpns.api.LinkProtection;
import io.cpns.api.UserId;
import io.cpns.api.server.ServiceGroup;
import io.cpns.server.store.GroupStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link GroupStore} on plain JDBC. */
final class JdbcGroupStore implements GroupStore {
    private static final String SELECT = "SELECT g.group_id, g.user_id, g.created_at, g.epoch, g.key_fp, m.entity_id, g.key_manager,"
            + " g.min_protection FROM cpns_group g LEFT JOIN cpns_group_member m ON m.group_id = g.group_id";

    private record Row(String groupId, String owner, long created, long epoch, String fp, String member, String manager,
                       String minProtection) {
    }

    private final Sql sql;

    JdbcGroupStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public boolean createGroup(String groupId, UserId owner, Instant at, byte[] sealedKeyOfEpoch1, String keyFingerprint,
                               EntityId keyManager) {
        return sql.insertIfAbsent("INSERT INTO cpns_group (group_id, user_id, created_at, epoch, key_sealed, key_fp, updated_at, key_manager)"
                + " VALUES (?, ?, ?, 1, ?, ?, ?, ?)", groupId, owner.value(), at.toEpochMilli(), sealedKeyOfEpoch1, keyFingerprint,
                at.toEpochMilli(), keyManager == null ? null : keyManager.value());
    }

    @Override
    public boolean deleteGroup(String groupId) {
        return sql.update("DELETE FROM cpns_group WHERE group_id = ?", groupId) == 1;
    }

    @Override
    public Optional<ServiceGroup> group(String groupId) {
        return grouped(SELECT + " WHERE g.group_id = ? ORDER BY m.entity_id", groupId).stream().findFirst();
    }

    @Override
    public List<ServiceGroup> groups() {
        return grouped(SELECT + " ORDER BY g.group_id, m.entity_id");
    }

    @Override
    public List<ServiceGroup> groupsOf(EntityId member) {
        return grouped(SELECT + " WHERE g.group_id IN (SELECT group_id FROM cpns_group_member WHERE entity_id = ?)"
                + " ORDER BY g.group_id, m.entity_id", member.value());
    }

    @Override
    public Optional<SealedGroupKey> groupKey(String groupId) {
        return sql.query("SELECT epoch, key_sealed FROM cpns_group WHERE group_id = ?",
                rs -> new SealedGroupKey(rs.getLong(1), rs.getBytes(2)), groupId).stream().findFirst();
    }

    @Override
    public List<KeyTime> keyTimes() {
        return sql.query("SELECT group_id, epoch, updated_at FROM cpns_group ORDER BY group_id",
                rs -> new KeyTime(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3))));
    }

    @Override
    public boolean changeMembers(String groupId, List<EntityId> members, boolean join, Instant at, long epoch, byte[] sealedKey,
                                 String keyFingerprint) {
        return sql.transaction(tx -> {
            if (tx.update("UPDATE cpns_group SET epoch = ?, key_sealed = ?, key_fp = ?, updated_at = ? WHERE group_id = ? AND epoch = ?",
                    epoch, sealedKey, keyFingerprint, at.toEpochMilli(), groupId, epoch - 1) != 1) {
                return false;
            }
            for (EntityId member : members) {
                int changed = join
                        ? tx.update("INSERT INTO cpns_group_member (group_id, entity_id, joined_at) SELECT ?, ?, ? WHERE NOT EXISTS"
                                + " (SELECT 1 FROM cpns_group_member WHERE group_id = ? AND entity_id = ?)",
                                groupId, member.value(), at.toEpochMilli(), groupId, member.value())
                        : tx.update("DELETE FROM cpns_group_member WHERE group_id = ? AND entity_id = ?", groupId, member.value());
                if (changed != 1) {
                    tx.rollbackOnly(); // the key and the other members stay as they were, too
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    public boolean updateKey(String groupId, long epoch, byte[] sealedKey, String keyFingerprint, Instant at) {
        return sql.update("UPDATE cpns_group SET epoch = ?, key_sealed = ?, key_fp = ?, updated_at = ? WHERE group_id = ? AND epoch = ?",
                epoch, sealedKey, keyFingerprint, at.toEpochMilli(), groupId, epoch - 1) == 1;
    }

    @Override
    public boolean assignKeyManager(String groupId, EntityId keyManager, long epoch, byte[] sealedKey, String keyFingerprint,
                                    Instant at) {
        return sql.update("UPDATE cpns_group SET key_manager = ?, epoch = ?, key_sealed = ?, key_fp = ?, updated_at = ?"
                + " WHERE group_id = ? AND epoch = ?", keyManager == null ? null : keyManager.value(), epoch, sealedKey, keyFingerprint,
                at.toEpochMilli(), groupId, epoch - 1) == 1;
    }

    @Override
    public boolean requireProtection(String groupId, LinkProtection minimum, long epoch, byte[] sealedKey, String keyFingerprint,
                                     Instant at) {
        return sql.update("UPDATE cpns_group SET min_protection = ?, epoch = ?, key_sealed = ?, key_fp = ?, updated_at = ?"
                + " WHERE group_id = ? AND epoch = ?", minimum == LinkProtection.NONE ? null : minimum.wire(), epoch, sealedKey,
                keyFingerprint, at.toEpochMilli(), groupId, epoch - 1) == 1;
    }

    /** One row per (group, member) from the join, folded into one record per group. */
    private List<ServiceGroup> grouped(String query, Object... args) {
        Map<String, List<Row>> byGroup = new LinkedHashMap<>();
        for (Row r : sql.query(query, rs -> new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)), args)) {
            byGroup.computeIfAbsent(r.groupId(), k -> new ArrayList<>()).add(r);
        }
        List<ServiceGroup> out = new ArrayList<>();
        byGroup.forEach((id, rows) -> {
            Row first = rows.get(0);
            List<EntityId> members = rows.stream().filter(r -> r.member() != null).map(r -> EntityId.of(r.member())).toList();
            out.add(new ServiceGroup(id, UserId.of(first.owner()), Instant.ofEpochMilli(first.created()), first.epoch(), first.fp(),
                    members, first.manager() == null ? null : EntityId.of(first.manager()),
                    first.minProtection() == null ? LinkProtection.NONE : LinkProtection.parse(first.minProtection())));
        });
        return out;
    }
}
