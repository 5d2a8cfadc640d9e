package io.cpns.server.store.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import io.cpns.server.store.ServerStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link ServerStore} on plain JDBC; one short transaction per call. */
class JdbcServerStore implements ServerStore {
    private static final String FOREIGN_KEY_VIOLATION = "23506"; // H2; PostgreSQL uses 23503
    private static final String ENTITY_COLUMNS = "entity_id, kind, user_id, assigned_at, eukey_fp, confirmed_at";

    private final Sql sql;
    private final String description;

    JdbcServerStore(Sql sql, String description) {
        this.sql = sql;
        this.description = description;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void insertUser(UserId user, String passwordHash) {
        if (!sql.insertIfAbsent("INSERT INTO cpns_user (user_id, password_hash, created_at) VALUES (?, ?, ?)", user.value(),
                passwordHash, System.currentTimeMillis())) {
            throw new CpnsException(ErrorCode.USER_EXISTS, "user " + user + " is already registered");
        }
    }

    @Override
    public Optional<String> passwordHash(UserId user) {
        return first(sql.query("SELECT password_hash FROM cpns_user WHERE user_id = ?", rs -> rs.getString(1), user.value()));
    }

    @Override
    public List<UserId> users() {
        return sql.query("SELECT user_id FROM cpns_user ORDER BY user_id", rs -> UserId.of(rs.getString(1)));
    }

    @Override
    public void insertEntity(EntityRecord e, byte[] sealedEuKey) {
        boolean inserted;
        try {
            inserted = sql.insertIfAbsent("INSERT INTO cpns_entity (entity_id, kind, user_id, eukey_sealed, eukey_fp, assigned_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", e.id().value(), e.kind().name(), e.owner().value(), sealedEuKey,
                    e.euKeyFingerprint(), e.assignedAt().toEpochMilli());
        } catch (CpnsException x) {
            if (x.getCause() instanceof SQLException s
                    && (FOREIGN_KEY_VIOLATION.equals(s.getSQLState()) || "23503".equals(s.getSQLState()))) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "user " + e.owner() + " is not registered");
            }
            throw x;
        }
        if (!inserted) {
            throw new CpnsException(ErrorCode.ALREADY_ASSIGNED, "entity " + e.id() + " already has an EUKey");
        }
    }

    @Override
    public boolean replaceUnconfirmedEuKey(EntityRecord e, byte[] sealedEuKey) {
        return sql.update("UPDATE cpns_entity SET eukey_sealed = ?, eukey_fp = ?, assigned_at = ? WHERE entity_id = ?"
                + " AND user_id = ? AND kind = ? AND confirmed_at IS NULL", sealedEuKey, e.euKeyFingerprint(),
                e.assignedAt().toEpochMilli(), e.id().value(), e.owner().value(), e.kind().name()) == 1;
    }

    @Override
    public void confirmEntity(EntityId entity, Instant at) {
        sql.update("UPDATE cpns_entity SET confirmed_at = ? WHERE entity_id = ? AND confirmed_at IS NULL", at.toEpochMilli(), entity.value());
    }

    @Override
    public boolean deleteEntity(EntityId entity) {
        return sql.update("DELETE FROM cpns_entity WHERE entity_id = ?", entity.value()) == 1;
    }

    @Override
    public Optional<EntityRecord> entity(EntityId entity) {
        return first(sql.query("SELECT " + ENTITY_COLUMNS + " FROM cpns_entity WHERE entity_id = ?", JdbcServerStore::entityRow,
                entity.value()));
    }

    @Override
    public Optional<byte[]> sealedEuKey(EntityId entity) {
        return first(sql.query("SELECT eukey_sealed FROM cpns_entity WHERE entity_id = ?", rs -> rs.getBytes(1), entity.value()));
    }

    @Override
    public List<EntityRecord> entities() {
        return sql.query("SELECT " + ENTITY_COLUMNS + " FROM cpns_entity ORDER BY entity_id", JdbcServerStore::entityRow);
    }

    @Override
    public List<EntityRecord> entitiesOf(UserId owner) {
        return sql.query("SELECT " + ENTITY_COLUMNS + " FROM cpns_entity WHERE user_id = ? ORDER BY entity_id",
                JdbcServerStore::entityRow, owner.value());
    }

    private static EntityRecord entityRow(ResultSet rs) throws SQLException {
        long confirmed = rs.getLong(6);
        Instant confirmedAt = rs.wasNull() ? null : Instant.ofEpochMilli(confirmed); // right after getLong(6)
        return new EntityRecord(EntityId.of(rs.getString(1)), EntityKind.valueOf(rs.getString(2)), UserId.of(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5), confirmedAt);
    }

    private static <T> Optional<T> first(List<T> l) {
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }
}
