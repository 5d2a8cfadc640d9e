package io.cpns.server.store.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.server.store.UpdateStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link UpdateStore} on plain JDBC. */
final class JdbcUpdateStore implements UpdateStore {
    private static final String RELEASE_COLUMNS = "release_seq, name, product, role, expires_at, key_id, keys_seq, manifest,"
            + " manifest_sig, release_keys, release_keys_sig, published_at";
    private static final String ROLLOUT_COLUMNS = "rollout_id, release_seq, target, waves, success_pct, failure_pct, soak_ms,"
            + " deadline_ms, update_window, state, reason, created_at, updated_at";
    private static final String MEMBER_UPDATE = "UPDATE cpns_rollout_gateway SET offered_at = ?, state = ?, failure = ?, state_at = ?,"
            + " timed_out = ? WHERE rollout_id = ? AND gateway_id = ?";
    private static final String WAVE_UPDATE = "UPDATE cpns_rollout_wave SET started_at = ?, success_at = ?, failure_base = ?,"
            + " accepted = ? WHERE rollout_id = ? AND wave = ?";

    private final Sql sql;

    JdbcUpdateStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public boolean insertRelease(ReleaseRow r) {
        return sql.transaction(tx -> {
            if (tx.update("INSERT INTO cpns_release (" + RELEASE_COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                    + " WHERE NOT EXISTS (SELECT 1 FROM cpns_release WHERE release_seq = ?)", r.releaseSeq(), r.name(), r.product(),
                    r.role(), r.expires(), r.keyId(), r.keysSeq(), r.manifest(), r.manifestSignature(), r.releaseKeys(),
                    r.releaseKeysSignature(), r.publishedAt().toEpochMilli(), r.releaseSeq()) != 1) {
                return false;
            }
            List<Object[]> files = new ArrayList<>();
            for (ReleaseFile f : r.files()) {
                files.add(new Object[] {r.releaseSeq(), f.file(), f.symbolicName(), f.version(), f.size(), f.sha256(), f.updateClass(),
                    f.startLevel()});
            }
            tx.batch("INSERT INTO cpns_release_file (release_seq, file_name, symbolic_name, bundle_version, file_size, sha256,"
                    + " update_class, start_level) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", files);
            return true;
        });
    }

    @Override
    public Optional<ReleaseRow> release(long releaseSeq) {
        return releasesWhere(" WHERE release_seq = ?", releaseSeq).stream().findFirst();
    }

    @Override
    public List<ReleaseRow> releases() {
        return releasesWhere("");
    }

    private List<ReleaseRow> releasesWhere(String where, Object... args) {
        Map<Long, List<ReleaseFile>> files = new LinkedHashMap<>();
        sql.query("SELECT release_seq, file_name, symbolic_name, bundle_version, file_size, sha256, update_class, start_level"
                + " FROM cpns_release_file" + where + " ORDER BY release_seq, file_name", rs -> {
                    files.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new ReleaseFile(rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getLong(5), rs.getBytes(6), rs.getString(7), rs.getInt(8)));
                    return null;
                }, args);
        return sql.query("SELECT " + RELEASE_COLUMNS + " FROM cpns_release" + where + " ORDER BY release_seq DESC",
                rs -> new ReleaseRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6),
                        rs.getLong(7), rs.getBytes(8), rs.getBytes(9), rs.getBytes(10), rs.getBytes(11), Instant.ofEpochMilli(rs.getLong(12)),
                        files.getOrDefault(rs.getLong(1), List.of())), args);
    }

    @Override
    public boolean addLabel(EntityId gateway, String label) {
        return sql.insertIfAbsent("INSERT INTO cpns_gateway_label (gateway_id, label) VALUES (?, ?)", gateway.value(), label);
    }

    @Override
    public boolean removeLabel(EntityId gateway, String label) {
        return sql.update("DELETE FROM cpns_gateway_label WHERE gateway_id = ? AND label = ?", gateway.value(), label) == 1;
    }

    @Override
    public List<String> labels(EntityId gateway) {
        return sql.query("SELECT label FROM cpns_gateway_label WHERE gateway_id = ? ORDER BY label", rs -> rs.getString(1), gateway.value());
    }

    @Override
    public List<EntityId> labelled(String label) {
        return sql.query("SELECT gateway_id FROM cpns_gateway_label WHERE label = ? ORDER BY gateway_id", rs -> EntityId.of(rs.getString(1)),
                label);
    }

    @Override
    public boolean insertRollout(RolloutRow r, List<WaveRow> waves, List<MemberRow> members) {
        if (release(r.releaseSeq()).isEmpty()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "release " + r.releaseSeq() + " is not published");
        }
        return sql.transaction(tx -> {
            if (tx.update("INSERT INTO cpns_rollout (" + ROLLOUT_COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                    + " WHERE NOT EXISTS (SELECT 1 FROM cpns_rollout WHERE rollout_id = ?)", rolloutArgs(r, r.rolloutId())) != 1) {
                return false;
            }
            List<Object[]> w = new ArrayList<>();
            for (WaveRow x : waves) {
                w.add(new Object[] {r.rolloutId(), x.wave(), x.size(), Sql.bigint(x.startedAt()), Sql.bigint(x.successAt()), x.failureBase(),
                    x.accepted()});
            }
            tx.batch("INSERT INTO cpns_rollout_wave (rollout_id, wave, wave_size, started_at, success_at, failure_base, accepted)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)", w);
            List<Object[]> m = new ArrayList<>();
            for (MemberRow x : members) {
                m.add(new Object[] {r.rolloutId(), x.gatewayId(), x.wave(), Sql.bigint(x.offeredAt()), x.state(), x.failure(),
                    Sql.bigint(x.stateAt()), x.timedOut()});
            }
            tx.batch("INSERT INTO cpns_rollout_gateway (rollout_id, gateway_id, wave, offered_at, state, failure, state_at, timed_out)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", m);
            return true;
        });
    }

    private static Object[] rolloutArgs(RolloutRow r, Object... more) {
        List<Object> a = new ArrayList<>(List.of(r.rolloutId(), r.releaseSeq(), r.target(), r.waves(), r.successPercent(),
                r.failurePercent(), r.soakMillis(), r.deadlineMillis()));
        a.add(r.window());
        a.add(r.state());
        a.add(r.reason());
        a.add(r.createdAt().toEpochMilli());
        a.add(r.updatedAt().toEpochMilli());
        a.addAll(List.of(more));
        return a.toArray();
    }

    @Override
    public boolean updateRollout(String rolloutId, RolloutRow r, List<WaveRow> waves, List<MemberRow> members, StatusRow status) {
        return sql.transaction(tx -> {
            boolean inserted = false;
            if (status != null) {
                inserted = tx.update("INSERT INTO cpns_update_status (rollout_id, gateway_id, state, release_seq, failure, detail,"
                        + " gateway_at, received_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM cpns_update_status"
                        + " WHERE rollout_id = ? AND gateway_id = ? AND state = ?)", status.rolloutId(), status.gatewayId(), status.state(),
                        status.releaseSeq(), status.failure(), status.detail(), status.gatewayAt(), status.receivedAt().toEpochMilli(),
                        status.rolloutId(), status.gatewayId(), status.state()) == 1;
            }
            if (r != null && tx.update("UPDATE cpns_rollout SET state = ?, reason = ?, updated_at = ? WHERE rollout_id = ?", r.state(),
                    r.reason(), r.updatedAt().toEpochMilli(), rolloutId) != 1) {
                throw new SQLException("no rollout " + rolloutId, "02000");
            }
            List<Object[]> w = new ArrayList<>();
            for (WaveRow x : waves) {
                w.add(new Object[] {Sql.bigint(x.startedAt()), Sql.bigint(x.successAt()), x.failureBase(), x.accepted(), rolloutId, x.wave()});
            }
            tx.batch(WAVE_UPDATE, w);
            List<Object[]> m = new ArrayList<>();
            for (MemberRow x : members) {
                m.add(new Object[] {Sql.bigint(x.offeredAt()), x.state(), x.failure(), Sql.bigint(x.stateAt()), x.timedOut(), rolloutId,
                    x.gatewayId()});
            }
            tx.batch(MEMBER_UPDATE, m);
            return inserted;
        });
    }

    @Override
    public Optional<StoredRollout> rollout(String rolloutId) {
        Optional<RolloutRow> r = sql.query("SELECT " + ROLLOUT_COLUMNS + " FROM cpns_rollout WHERE rollout_id = ?", JdbcUpdateStore::rollout,
                rolloutId).stream().findFirst();
        if (r.isEmpty()) {
            return Optional.empty();
        }
        List<WaveRow> waves = sql.query("SELECT wave, wave_size, started_at, success_at, failure_base, accepted FROM cpns_rollout_wave"
                + " WHERE rollout_id = ? ORDER BY wave", rs -> new WaveRow(rs.getInt(1), rs.getInt(2), nullableLong(rs, 3),
                        nullableLong(rs, 4), rs.getInt(5), rs.getBoolean(6)), rolloutId);
        List<MemberRow> members = sql.query("SELECT gateway_id, wave, offered_at, state, failure, state_at, timed_out"
                + " FROM cpns_rollout_gateway WHERE rollout_id = ? ORDER BY wave, gateway_id", rs -> new MemberRow(rs.getString(1),
                        rs.getInt(2), nullableLong(rs, 3), rs.getString(4), rs.getString(5), nullableLong(rs, 6), rs.getBoolean(7)), rolloutId);
        return Optional.of(new StoredRollout(r.get(), waves, members));
    }

    @Override
    public List<RolloutRow> rollouts() {
        return sql.query("SELECT " + ROLLOUT_COLUMNS + " FROM cpns_rollout ORDER BY created_at DESC, rollout_id", JdbcUpdateStore::rollout);
    }

    @Override
    public List<String> rolloutsIn(List<String> states) {
        if (states.isEmpty()) {
            return List.of();
        }
        String marks = String.join(", ", java.util.Collections.nCopies(states.size(), "?"));
        return sql.query("SELECT rollout_id FROM cpns_rollout WHERE state IN (" + marks + ") ORDER BY created_at, rollout_id",
                rs -> rs.getString(1), states.toArray());
    }

    private static RolloutRow rollout(ResultSet rs) throws SQLException {
        return new RolloutRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6), rs.getLong(7),
                rs.getLong(8), rs.getString(9), rs.getString(10), rs.getString(11), Instant.ofEpochMilli(rs.getLong(12)),
                Instant.ofEpochMilli(rs.getLong(13)));
    }

    @Override
    public List<StatusRow> statuses(String rolloutId, EntityId gateway) {
        return sql.query("SELECT rollout_id, gateway_id, state, release_seq, failure, detail, gateway_at, received_at FROM cpns_update_status"
                + " WHERE rollout_id = ? AND gateway_id = ? ORDER BY received_at, gateway_at", rs -> new StatusRow(rs.getString(1),
                        rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6), rs.getLong(7),
                        Instant.ofEpochMilli(rs.getLong(8))), rolloutId, gateway.value());
    }

    @Override
    public void putInventory(InventoryRow inv) {
        sql.transaction(tx -> {
            tx.update("DELETE FROM cpns_inventory WHERE gateway_id = ?", inv.gatewayId()); // its bundles go with it (cascade)
            tx.update("INSERT INTO cpns_inventory (gateway_id, committed_seq, ready, rollout_id, state, reported_at) VALUES (?, ?, ?, ?, ?, ?)",
                    inv.gatewayId(), inv.committedSeq(), inv.ready(), inv.rolloutId(), inv.state(), inv.reportedAt().toEpochMilli());
            List<Object[]> b = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (InventoryBundle x : inv.bundles()) {
                if (seen.add(x.symbolicName() + "\u0000" + x.version())) { // a framework may hold a bundle twice at one version
                    b.add(new Object[] {inv.gatewayId(), x.symbolicName(), x.version(), x.state(), x.startLevel(), x.managed()});
                }
            }
            tx.batch("INSERT INTO cpns_inventory_bundle (gateway_id, symbolic_name, bundle_version, state, start_level, managed)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", b);
            return null;
        });
    }

    @Override
    public Optional<InventoryRow> inventory(EntityId gateway) {
        List<InventoryBundle> bundles = sql.query("SELECT symbolic_name, bundle_version, state, start_level, managed FROM cpns_inventory_bundle"
                + " WHERE gateway_id = ? ORDER BY start_level, symbolic_name, bundle_version", rs -> new InventoryBundle(rs.getString(1),
                        rs.getString(2), rs.getString(3), rs.getInt(4), rs.getBoolean(5)), gateway.value());
        return sql.query("SELECT gateway_id, committed_seq, ready, rollout_id, state, reported_at FROM cpns_inventory WHERE gateway_id = ?",
                rs -> new InventoryRow(rs.getString(1), rs.getLong(2), rs.getBoolean(3), rs.getString(4), rs.getString(5),
                        Instant.ofEpochMilli(rs.getLong(6)), bundles), gateway.value()).stream().findFirst();
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
