package io.cpns.server.store.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import io.cpns.server.store.ServerStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link ServerStore} on plain JDBC; one short transaction per call. */
class JdbcServerStore implements ServerStore {
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String FOREIGN_KEY_VIOLATION = "23506"; // H2; PostgreSQL uses 23503
    private static final String ENTITY_COLUMNS = "entity_id, kind, user_id, assigned_at, eukey_fp, confirmed_at";

    private final DataSource ds;
    private final String description;

    JdbcServerStore(DataSource ds, String description) {
        this.ds = ds;
        this.description = description;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void insertUser(UserId user, String passwordHash) {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO cpns_user (user_id, password_hash, created_at) VALUES (?, ?, ?)")) {
            ps.setString(1, user.value());
            ps.setString(2, passwordHash);
            ps.setLong(3, System.currentTimeMillis());
            ps.executeUpdate();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new CpnsException(ErrorCode.USER_EXISTS, "user " + user + " is already registered");
            }
            throw failure("insert user", e);
        }
    }

    @Override
    public Optional<String> passwordHash(UserId user) {
        return queryOne("SELECT password_hash FROM cpns_user WHERE user_id = ?", user.value(), rs -> rs.getString(1));
    }

    @Override
    public List<UserId> users() {
        return query("SELECT user_id FROM cpns_user ORDER BY user_id", null, rs -> UserId.of(rs.getString(1)));
    }

    @Override
    public void insertEntity(EntityRecord e, byte[] sealedEuKey) {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO cpns_entity (entity_id, kind, user_id, eukey_sealed,"
                     + " eukey_fp, assigned_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, e.id().value());
            ps.setString(2, e.kind().name());
            ps.setString(3, e.owner().value());
            ps.setBytes(4, sealedEuKey);
            ps.setString(5, e.euKeyFingerprint());
            ps.setLong(6, e.assignedAt().toEpochMilli());
            ps.executeUpdate();
        } catch (SQLException x) {
            if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
                throw new CpnsException(ErrorCode.ALREADY_ASSIGNED, "entity " + e.id() + " already has an EUKey");
            }
            if (FOREIGN_KEY_VIOLATION.equals(x.getSQLState()) || "23503".equals(x.getSQLState())) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "user " + e.owner() + " is not registered");
            }
            throw failure("insert entity", x);
        }
    }

    @Override
    public boolean replaceUnconfirmedEuKey(EntityRecord e, byte[] sealedEuKey) {
        return update("UPDATE cpns_entity SET eukey_sealed = ?, eukey_fp = ?, assigned_at = ? WHERE entity_id = ?"
                + " AND user_id = ? AND kind = ? AND confirmed_at IS NULL", sealedEuKey, e.euKeyFingerprint(),
                e.assignedAt().toEpochMilli(), e.id().value(), e.owner().value(), e.kind().name()) == 1;
    }

    @Override
    public void confirmEntity(EntityId entity, Instant at) {
        update("UPDATE cpns_entity SET confirmed_at = ? WHERE entity_id = ? AND confirmed_at IS NULL", at.toEpochMilli(), entity.value());
    }

    @Override
    public boolean deleteEntity(EntityId entity) {
        return update("DELETE FROM cpns_entity WHERE entity_id = ?", entity.value()) == 1;
    }

    private int update(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("update", e);
        }
    }

    @Override
    public Optional<EntityRecord> entity(EntityId entity) {
        return queryOne("SELECT " + ENTITY_COLUMNS + " FROM cpns_entity WHERE entity_id = ?", entity.value(), JdbcServerStore::entityRow);
    }

    @Override
    public Optional<byte[]> sealedEuKey(EntityId entity) {
        return queryOne("SELECT eukey_sealed FROM cpns_entity WHERE entity_id = ?", entity.value(), rs -> rs.getBytes(1));
    }

    @Override
    public List<EntityRecord> entities() {
        return query("SELECT " + ENTITY_COLUMNS + " FROM cpns_entity ORDER BY entity_id", null, JdbcServerStore::entityRow);
    }

    @Override
    public List<EntityRecord> entitiesOf(UserId owner) {
        return query("SELECT " + ENTITY_COLUMNS + " FROM cpns_entity WHERE user_id = ? ORDER BY entity_id", owner.value(),
                JdbcServerStore::entityRow);
    }

    private static EntityRecord entityRow(ResultSet rs) throws SQLException {
        long confirmed = rs.getLong(6);
        Instant confirmedAt = rs.wasNull() ? null : Instant.ofEpochMilli(confirmed); // right after getLong(6)
        return new EntityRecord(EntityId.of(rs.getString(1)), EntityKind.valueOf(rs.getString(2)), UserId.of(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5), confirmedAt);
    }

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> Optional<T> queryOne(String sql, String arg, Row<T> row) {
        List<T> l = query(sql, arg, row);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    private <T> List<T> query(String sql, String arg, Row<T> row) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.map(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw failure("query", e);
        }
    }

    /** The detail goes to peers: SQL state only; the driver's message (host names, SQL) stays in the cause, for the log. */
    private CpnsException failure(String what, SQLException e) {
        return new CpnsException(ErrorCode.UNAVAILABLE, "database " + what + " failed (SQL state " + e.getSQLState() + ")", e);
    }
}
