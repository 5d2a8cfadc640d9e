package io.cpns.server.store.internal;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.server.store.KeyAssignmentStore;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** {@link KeyAssignmentStore} on plain JDBC; the subscription map is kept as sorted {@code key=value} lines. */
final class JdbcKeyAssignmentStore implements KeyAssignmentStore {
    private final Sql sql;

    JdbcKeyAssignmentStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public void register(UserId user, Map<String, byte[]> sealedHashBySuite, Map<String, String> subscription, EntityId gateway, Instant at) {
        sql.transaction(tx -> {
            tx.update("DELETE FROM cpns_ka_hash WHERE user_id = ?", user.value());
            tx.update("DELETE FROM cpns_ka_registration WHERE user_id = ?", user.value());
            tx.update("INSERT INTO cpns_ka_registration (user_id, subscription, gateway_id, registered_at) VALUES (?, ?, ?, ?)",
                    user.value(), encode(subscription), gateway.value(), at.toEpochMilli());
            for (Map.Entry<String, byte[]> e : new TreeMap<>(sealedHashBySuite).entrySet()) {
                tx.update("INSERT INTO cpns_ka_hash (user_id, suite, hash_sealed) VALUES (?, ?, ?)", user.value(), e.getKey(), e.getValue());
            }
            return true;
        });
    }

    @Override
    public Optional<byte[]> sealedPasswordHash(UserId user, String suite) {
        return sql.query("SELECT hash_sealed FROM cpns_ka_hash WHERE user_id = ? AND suite = ?", rs -> rs.getBytes(1), user.value(), suite)
                .stream().findFirst();
    }

    @Override
    public Optional<Registration> registration(UserId user) {
        return sql.query("SELECT subscription, gateway_id, registered_at FROM cpns_ka_registration WHERE user_id = ?",
                rs -> new Registration(user, decode(rs.getString(1)), EntityId.of(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3))),
                user.value()).stream().findFirst();
    }

    @Override
    public int deletePasswordHashesExcept(Set<String> kept) {
        if (kept.isEmpty()) {
            return sql.update("DELETE FROM cpns_ka_hash");
        }
        return sql.update("DELETE FROM cpns_ka_hash WHERE suite NOT IN (" + "?,".repeat(kept.size() - 1) + "?)", kept.toArray());
    }

    static String encode(Map<String, String> m) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(m).forEach((k, v) -> {
            if (k.contains("=") || k.contains("\n") || v.contains("\n")) {
                throw new io.cpns.api.CpnsException(io.cpns.api.ErrorCode.INVALID_ARGUMENT, "subscription keys hold no '=' or line break");
            }
            s.append(k).append('=').append(v).append('\n');
        });
        return s.toString();
    }

    static Map<String, String> decode(String s) {
        Map<String, String> m = new TreeMap<>();
        s.lines().filter(l -> !l.isEmpty()).forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return m;
    }
}
