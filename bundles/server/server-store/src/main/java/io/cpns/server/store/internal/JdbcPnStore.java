package io.cpns.server.store.internal;

import io.cpns.api.EntityId;
import io.cpns.api.LinkProtection;
import io.cpns.api.UserId;
import io.cpns.api.server.GatewayInfo;
import io.cpns.api.server.PneInfo;
import io.cpns.api.server.RegisteredPn;
import io.cpns.server.store.PnStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link PnStore} on plain JDBC. */
final class JdbcPnStore implements PnStore {
    private static final String SELECT = "SELECT p.pn_id, p.gateway_id, p.user_id, p.created_at, m.pne_id"
            + " FROM cpns_pn p LEFT JOIN cpns_pn_member m ON m.pn_id = p.pn_id";

    private record Row(String pnId, String gateway, String owner, long created, String member) {
    }

    private final Sql sql;

    JdbcPnStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public void createPn(String pnId, EntityId gateway, UserId owner, Instant at) {
        sql.insertIfAbsent("INSERT INTO cpns_pn (pn_id, gateway_id, user_id, created_at) VALUES (?, ?, ?, ?)", pnId,
                gateway.value(), owner.value(), at.toEpochMilli());
    }

    @Override
    public void addMember(String pnId, EntityId pne, Instant at) {
        sql.insertIfAbsent("INSERT INTO cpns_pn_member (pn_id, pne_id, joined_at) VALUES (?, ?, ?)", pnId, pne.value(),
                at.toEpochMilli());
    }

    @Override
    public boolean removeMember(String pnId, EntityId pne) {
        boolean removed = sql.update("DELETE FROM cpns_pn_member WHERE pn_id = ? AND pne_id = ?", pnId, pne.value()) == 1;
        if (removed) {
            sql.update("DELETE FROM cpns_pn WHERE pn_id = ? AND NOT EXISTS (SELECT 1 FROM cpns_pn_member WHERE pn_id = ?)", pnId, pnId);
        }
        return removed;
    }

    @Override
    public Optional<RegisteredPn> pn(String pnId) {
        return grouped(SELECT + " WHERE p.pn_id = ? ORDER BY m.pne_id", pnId).stream().findFirst();
    }

    @Override
    public List<RegisteredPn> pns() {
        return grouped(SELECT + " ORDER BY p.pn_id, m.pne_id");
    }

    @Override
    public List<RegisteredPn> pnsOfGateway(EntityId gateway) {
        return grouped(SELECT + " WHERE p.gateway_id = ? ORDER BY p.pn_id, m.pne_id", gateway.value());
    }

    @Override
    public boolean putSession(PneSession s) {
        return sql.transaction(tx -> {
            tx.update("DELETE FROM cpns_pne_session WHERE pn_id = ? AND pne_id = ?", s.pnId(), s.pne().value());
            try {
                tx.update("INSERT INTO cpns_pne_session (pn_id, pne_id, suite, sk_sealed, send_limit, recv_seq, established_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", s.pnId(), s.pne().value(), s.suite(), s.sealedKey(), s.sendLimit(),
                        s.received(), s.established().toEpochMilli());
                return true;
            } catch (java.sql.SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("23")) { // not a member (foreign key): nothing stored
                    tx.rollbackOnly();
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<PneSession> session(String pnId, EntityId pne) {
        return sql.query("SELECT suite, sk_sealed, send_limit, recv_seq, established_at FROM cpns_pne_session"
                + " WHERE pn_id = ? AND pne_id = ?", rs -> new PneSession(pnId, pne, rs.getString(1), rs.getBytes(2), rs.getLong(3),
                rs.getLong(4), Instant.ofEpochMilli(rs.getLong(5))), pnId, pne.value()).stream().findFirst();
    }

    // GREATEST in SQL: counters never go backwards, whatever order concurrent writers commit in
    @Override
    public boolean reserveSend(String pnId, EntityId pne, long limit) {
        return sql.update("UPDATE cpns_pne_session SET send_limit = GREATEST(send_limit, ?) WHERE pn_id = ? AND pne_id = ?",
                limit, pnId, pne.value()) == 1;
    }

    @Override
    public boolean received(String pnId, EntityId pne, long seq) {
        return sql.update("UPDATE cpns_pne_session SET recv_seq = GREATEST(recv_seq, ?) WHERE pn_id = ? AND pne_id = ?",
                seq, pnId, pne.value()) == 1;
    }

    @Override
    public boolean deleteSession(String pnId, EntityId pne) {
        return sql.update("DELETE FROM cpns_pne_session WHERE pn_id = ? AND pne_id = ?", pnId, pne.value()) == 1;
    }

    @Override
    public void putPneInfo(PneInfo info) {
        sql.transaction(tx -> {
            String pne = info.pne().value();
            tx.update("DELETE FROM cpns_pne_info WHERE pne_id = ?", pne); // its capabilities with it (cascade)
            tx.update("INSERT INTO cpns_pne_info (pne_id, gateway_id, protection, reported_at) VALUES (?, ?, ?, ?)", pne,
                    info.gateway().value(), info.linkProtection().map(LinkProtection::wire).orElse(null), info.reported().toEpochMilli());
            tx.batch("INSERT INTO cpns_pne_capability (pne_id, name, cap_value) VALUES (?, ?, ?)", info.capabilities().entrySet()
                    .stream().map(e -> new Object[] {pne, e.getKey(), e.getValue()}).toList());
            return null;
        });
    }

    @Override
    public Optional<PneInfo> pneInfo(EntityId pne) {
        Map<String, String> caps = new LinkedHashMap<>();
        sql.query("SELECT name, cap_value FROM cpns_pne_capability WHERE pne_id = ? ORDER BY name", rs -> Map.entry(rs.getString(1),
                rs.getString(2)), pne.value()).forEach(e -> caps.put(e.getKey(), e.getValue()));
        return sql.query("SELECT gateway_id, protection, reported_at FROM cpns_pne_info WHERE pne_id = ?", rs -> new PneInfo(pne,
                EntityId.of(rs.getString(1)), caps, rs.getString(2) == null ? null : LinkProtection.of(rs.getString(2)).orElse(null),
                Instant.ofEpochMilli(rs.getLong(3))), pne.value()).stream().findFirst();
    }

    @Override
    public void putGatewayInfo(GatewayInfo info) {
        sql.transaction(tx -> {
            String gw = info.gateway().value();
            tx.update("DELETE FROM cpns_gateway_info WHERE gateway_id = ?", gw);
            tx.update("INSERT INTO cpns_gateway_info (gateway_id, reported_at) VALUES (?, ?)", gw, info.reported().toEpochMilli());
            List<Object[]> rows = new ArrayList<>();
            info.capabilities().forEach((k, v) -> rows.add(new Object[] {gw, "capability", k, v}));
            info.subscription().forEach((k, v) -> rows.add(new Object[] {gw, "subscription", k, v}));
            tx.batch("INSERT INTO cpns_gateway_attr (gateway_id, section, name, attr_value) VALUES (?, ?, ?, ?)", rows);
            return null;
        });
    }

    @Override
    public Optional<GatewayInfo> gatewayInfo(EntityId gateway) {
        Map<String, String> caps = new LinkedHashMap<>();
        Map<String, String> subscription = new LinkedHashMap<>();
        sql.query("SELECT section, name, attr_value FROM cpns_gateway_attr WHERE gateway_id = ? ORDER BY name", rs ->
                List.of(rs.getString(1), rs.getString(2), rs.getString(3)), gateway.value())
                .forEach(r -> ("capability".equals(r.get(0)) ? caps : subscription).put(r.get(1), r.get(2)));
        return sql.query("SELECT reported_at FROM cpns_gateway_info WHERE gateway_id = ?", rs -> new GatewayInfo(gateway, caps,
                subscription, Instant.ofEpochMilli(rs.getLong(1))), gateway.value()).stream().findFirst();
    }

    /** One row per (PN, member) from the join, folded into one record per PN. */
    private List<RegisteredPn> grouped(String query, Object... args) {
        Map<String, List<Row>> byPn = new LinkedHashMap<>();
        for (Row r : sql.query(query, rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                rs.getString(5)), args)) {
            byPn.computeIfAbsent(r.pnId(), k -> new ArrayList<>()).add(r);
        }
        List<RegisteredPn> out = new ArrayList<>();
        byPn.forEach((pnId, rows) -> {
            Row first = rows.get(0);
            List<EntityId> members = rows.stream().filter(r -> r.member() != null).map(r -> EntityId.of(r.member())).toList();
            out.add(new RegisteredPn(pnId, EntityId.of(first.gateway()), UserId.of(first.owner()),
                    Instant.ofEpochMilli(first.created()), members));
        });
        return out;
    }
}
