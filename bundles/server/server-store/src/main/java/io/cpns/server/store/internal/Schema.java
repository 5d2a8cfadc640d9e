package io.cpns.server.store.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema, applied in order on start. A new version is a new entry at the end; released
 * entries never change. Written in the SQL both H2 and PostgreSQL accept (BYTEA, BIGINT epoch ms).
 */
final class Schema {
    static final List<List<String>> VERSIONS = List.of(
            List.of(
                "CREATE TABLE cpns_user (user_id VARCHAR(64) PRIMARY KEY, password_hash VARCHAR(255) NOT NULL,"
                        + " created_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_entity (entity_id VARCHAR(64) PRIMARY KEY, kind VARCHAR(16) NOT NULL,"
                        + " user_id VARCHAR(64) NOT NULL REFERENCES cpns_user(user_id), eukey_sealed BYTEA NOT NULL,"
                        + " eukey_fp VARCHAR(32) NOT NULL, assigned_at BIGINT NOT NULL)",
                "CREATE INDEX cpns_entity_user ON cpns_entity(user_id)"),
            // 2: an assignment is confirmed by the entity's first authentication with its EUKey
            List.of("ALTER TABLE cpns_entity ADD COLUMN confirmed_at BIGINT"),
            // 3: the PN Inventory (seed 004 step 11)
            List.of(
                "CREATE TABLE cpns_pn (pn_id VARCHAR(64) PRIMARY KEY, gateway_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL,"
                        + " created_at BIGINT NOT NULL)",
                "CREATE INDEX cpns_pn_gateway ON cpns_pn(gateway_id)",
                "CREATE TABLE cpns_pn_member (pn_id VARCHAR(64) NOT NULL REFERENCES cpns_pn(pn_id) ON DELETE CASCADE,"
                        + " pne_id VARCHAR(64) NOT NULL, joined_at BIGINT NOT NULL, PRIMARY KEY (pn_id, pne_id))"),
            // 4: Service Groups and their Group Keys (TS §5.3.2), the key sealed by the group registry
            List.of(
                "CREATE TABLE cpns_group (group_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL REFERENCES cpns_user(user_id),"
                        + " created_at BIGINT NOT NULL, epoch BIGINT NOT NULL, key_sealed BYTEA NOT NULL, key_fp VARCHAR(32) NOT NULL,"
                        + " updated_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_group_member (group_id VARCHAR(64) NOT NULL REFERENCES cpns_group(group_id) ON DELETE CASCADE,"
                        + " entity_id VARCHAR(64) NOT NULL, joined_at BIGINT NOT NULL, PRIMARY KEY (group_id, entity_id))",
                "CREATE INDEX cpns_group_member_entity ON cpns_group_member(entity_id)"),
            // 5: a PN GW as a group's Group Key Manager (seed 003 §5.3.2, distributed topology)
            List.of("ALTER TABLE cpns_group ADD COLUMN key_manager VARCHAR(64)"),
            // 6: Key Assignment for PNEs without UI (seed 001 §7.x.2.1.2): ID, password hash per suite, subscription
            List.of(
                "CREATE TABLE cpns_ka_registration (user_id VARCHAR(64) PRIMARY KEY REFERENCES cpns_user(user_id),"
                        + " subscription VARCHAR(4096) NOT NULL, gateway_id VARCHAR(64) NOT NULL, registered_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_ka_hash (user_id VARCHAR(64) NOT NULL REFERENCES cpns_ka_registration(user_id) ON DELETE CASCADE,"
                        + " suite VARCHAR(32) NOT NULL, hash_sealed BYTEA NOT NULL, PRIMARY KEY (user_id, suite))"),
            // 7: signed remote updates (issue 11, docs/updates.md §5): releases, labels, rollouts, status history, inventories
            List.of(
                "CREATE TABLE cpns_release (release_seq BIGINT PRIMARY KEY, name VARCHAR(128) NOT NULL, product VARCHAR(64) NOT NULL,"
                        + " role VARCHAR(64) NOT NULL, expires_at BIGINT NOT NULL, key_id VARCHAR(64) NOT NULL, keys_seq BIGINT NOT NULL,"
                        + " manifest BYTEA NOT NULL, manifest_sig BYTEA NOT NULL, release_keys BYTEA NOT NULL, release_keys_sig BYTEA NOT NULL,"
                        + " published_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_release_file (release_seq BIGINT NOT NULL REFERENCES cpns_release(release_seq) ON DELETE CASCADE,"
                        + " file_name VARCHAR(255) NOT NULL, symbolic_name VARCHAR(255) NOT NULL, bundle_version VARCHAR(64) NOT NULL,"
                        + " file_size BIGINT NOT NULL, sha256 BYTEA NOT NULL, update_class VARCHAR(16) NOT NULL, start_level INT NOT NULL,"
                        + " PRIMARY KEY (release_seq, file_name))",
                "CREATE TABLE cpns_gateway_label (gateway_id VARCHAR(64) NOT NULL, label VARCHAR(64) NOT NULL, PRIMARY KEY (gateway_id, label))",
                "CREATE INDEX cpns_gateway_label_label ON cpns_gateway_label(label)",
                "CREATE TABLE cpns_rollout (rollout_id VARCHAR(64) PRIMARY KEY, release_seq BIGINT NOT NULL REFERENCES cpns_release(release_seq),"
                        + " target VARCHAR(1024) NOT NULL, waves VARCHAR(256) NOT NULL, success_pct INT NOT NULL, failure_pct INT NOT NULL,"
                        + " soak_ms BIGINT NOT NULL, deadline_ms BIGINT NOT NULL, update_window VARCHAR(16), state VARCHAR(16) NOT NULL,"
                        + " reason VARCHAR(255), created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_rollout_wave (rollout_id VARCHAR(64) NOT NULL REFERENCES cpns_rollout(rollout_id) ON DELETE CASCADE,"
                        + " wave INT NOT NULL, wave_size INT NOT NULL, started_at BIGINT, success_at BIGINT, failure_base INT NOT NULL,"
                        + " accepted BOOLEAN NOT NULL, PRIMARY KEY (rollout_id, wave))",
                "CREATE TABLE cpns_rollout_gateway (rollout_id VARCHAR(64) NOT NULL REFERENCES cpns_rollout(rollout_id) ON DELETE CASCADE,"
                        + " gateway_id VARCHAR(64) NOT NULL, wave INT NOT NULL, offered_at BIGINT, state VARCHAR(16), failure VARCHAR(32),"
                        + " state_at BIGINT, timed_out BOOLEAN NOT NULL, PRIMARY KEY (rollout_id, gateway_id))",
                "CREATE INDEX cpns_rollout_gateway_gw ON cpns_rollout_gateway(gateway_id)",
                "CREATE TABLE cpns_update_status (rollout_id VARCHAR(64) NOT NULL REFERENCES cpns_rollout(rollout_id) ON DELETE CASCADE,"
                        + " gateway_id VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, release_seq BIGINT NOT NULL, failure VARCHAR(32),"
                        + " detail VARCHAR(160), gateway_at BIGINT NOT NULL, received_at BIGINT NOT NULL, PRIMARY KEY (rollout_id, gateway_id, state))",
                "CREATE TABLE cpns_inventory (gateway_id VARCHAR(64) PRIMARY KEY, committed_seq BIGINT NOT NULL, ready BOOLEAN NOT NULL,"
                        + " rollout_id VARCHAR(64), state VARCHAR(16), reported_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_inventory_bundle (gateway_id VARCHAR(64) NOT NULL REFERENCES cpns_inventory(gateway_id) ON DELETE CASCADE,"
                        + " symbolic_name VARCHAR(255) NOT NULL, bundle_version VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL,"
                        + " start_level INT NOT NULL, managed BOOLEAN NOT NULL, PRIMARY KEY (gateway_id, symbolic_name, bundle_version))"),
            // 8: SK_PNE and its counters (TS §5.3.3.1, seed 004 step 12), sealed, so relays outlive a Server restart;
            // a member leaving its PN takes its session with it
            List.of(
                "CREATE TABLE cpns_pne_session (pn_id VARCHAR(64) NOT NULL, pne_id VARCHAR(64) NOT NULL, suite VARCHAR(32) NOT NULL,"
                        + " sk_sealed BYTEA NOT NULL, send_limit BIGINT NOT NULL, recv_seq BIGINT NOT NULL, established_at BIGINT NOT NULL,"
                        + " PRIMARY KEY (pn_id, pne_id),"
                        + " FOREIGN KEY (pn_id, pne_id) REFERENCES cpns_pn_member(pn_id, pne_id) ON DELETE CASCADE)"),
            // 9: PNE Info and PN GW Info of PN Registration (seed 004 steps 4, 10), kept so the Server can check the
            // security level within the PN (seed 003), and a Service Group's minimum protection for Group Key delivery
            List.of(
                "CREATE TABLE cpns_pne_info (pne_id VARCHAR(64) PRIMARY KEY REFERENCES cpns_entity(entity_id) ON DELETE CASCADE,"
                        + " gateway_id VARCHAR(64) NOT NULL, protection VARCHAR(16), reported_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_pne_capability (pne_id VARCHAR(64) NOT NULL REFERENCES cpns_pne_info(pne_id) ON DELETE CASCADE,"
                        + " name VARCHAR(64) NOT NULL, cap_value VARCHAR(1024) NOT NULL, PRIMARY KEY (pne_id, name))",
                "CREATE TABLE cpns_gateway_info (gateway_id VARCHAR(64) PRIMARY KEY REFERENCES cpns_entity(entity_id) ON DELETE CASCADE,"
                        + " reported_at BIGINT NOT NULL)",
                "CREATE TABLE cpns_gateway_attr (gateway_id VARCHAR(64) NOT NULL REFERENCES cpns_gateway_info(gateway_id) ON DELETE CASCADE,"
                        + " section VARCHAR(16) NOT NULL, name VARCHAR(64) NOT NULL, attr_value VARCHAR(1024) NOT NULL,"
                        + " PRIMARY KEY (gateway_id, section, name))",
                "ALTER TABLE cpns_group ADD COLUMN min_protection VARCHAR(16)"));

    private Schema() {
    }

    /** @return the schema version after migration */
    static int migrate(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS cpns_schema (version INT NOT NULL)");
            int current;
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM cpns_schema")) {
                rs.next();
                current = rs.getInt(1);
            }
            if (current > VERSIONS.size()) {
                throw new SQLException("database schema version " + current + " is newer than this server ("
                        + VERSIONS.size() + "): refusing to run against it");
            }
            for (int v = current + 1; v <= VERSIONS.size(); v++) {
                for (String sql : VERSIONS.get(v - 1)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO cpns_schema (version) VALUES (" + v + ")");
            }
            c.commit();
            return VERSIONS.size();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
