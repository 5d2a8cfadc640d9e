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
                        + " suite VARCHAR(32) NOT NULL, hash_sealed BYTEA NOT NULL, PRIMARY KEY (user_id, suite))"));

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
