package io.cpns.server.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.RegisteredPn;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Server's PN Inventory (seed 004 step 11) on every available database. */
class JdbcPnStoreTest {
    static java.util.stream.Stream<String> dbs() {
        return Databases.names();
    }

    private static JdbcPnStore store(Databases.Db db) throws Exception {
        try (Connection c = db.pool().getConnection()) {
            Schema.migrate(c);
        }
        return new JdbcPnStore(new Sql(db.pool()));
    }

    private static final EntityId GW = EntityId.of("gw-1");
    private static final UserId ALICE = UserId.of("alice");

    @ParameterizedTest
    @MethodSource("dbs")
    void pnWithMembers_batchesAddToTheSamePn_rejoinKeepsOneRow(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcPnStore s = store(db);
            Instant t = Instant.ofEpochMilli(1000);
            s.createPn("pn-1", GW, ALICE, t);
            s.addMember("pn-1", EntityId.of("pne-b"), t);
            s.createPn("pn-1", GW, ALICE, t.plusSeconds(5)); // second batch: the PN exists already
            s.addMember("pn-1", EntityId.of("pne-a"), t);
            s.addMember("pn-1", EntityId.of("pne-a"), t.plusSeconds(9));
            RegisteredPn pn = s.pn("pn-1").orElseThrow();
            assertEquals(List.of(EntityId.of("pne-a"), EntityId.of("pne-b")), pn.members());
            assertEquals(t, pn.created());
            assertEquals(GW, pn.gateway());
            assertEquals(List.of(pn), s.pnsOfGateway(GW));
            assertTrue(s.pnsOfGateway(EntityId.of("gw-2")).isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void removeMember_keepsThePnWhileItHasMembers_andDeletesItWithTheLast(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcPnStore s = store(db);
            s.createPn("pn-2", GW, ALICE, Instant.EPOCH);
            s.addMember("pn-2", EntityId.of("pne-a"), Instant.EPOCH);
            s.addMember("pn-2", EntityId.of("pne-b"), Instant.EPOCH);
            assertTrue(s.removeMember("pn-2", EntityId.of("pne-a")));
            assertFalse(s.removeMember("pn-2", EntityId.of("pne-a")));
            assertEquals(List.of(EntityId.of("pne-b")), s.pn("pn-2").orElseThrow().members());
            assertTrue(s.removeMember("pn-2", EntityId.of("pne-b")));
            assertTrue(s.pn("pn-2").isEmpty(), "a PN without members is gone, as on the PN GW");
            assertTrue(s.pn("pn-unknown").isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void aPnCreatedBeforeItsFirstMember_isListed(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcPnStore s = store(db);
            s.createPn("pn-3", GW, ALICE, Instant.EPOCH); // registration creates the PN, then adds the batch
            assertEquals(List.of(), s.pn("pn-3").orElseThrow().members());
            assertEquals(1, s.pns().size());
        }
    }

    private static io.cpns.server.store.PnStore.PneSession session(String pnId, String pne, byte[] key) {
        return new io.cpns.server.store.PnStore.PneSession(pnId, EntityId.of(pne), "modern-v1", key, 0, 0, Instant.ofEpochMilli(7000));
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void pneSession_isKeptWithItsCounters_whichNeverGoBackwards(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcPnStore s = store(db);
            s.createPn("pn-1", GW, ALICE, Instant.EPOCH);
            s.addMember("pn-1", EntityId.of("pne-a"), Instant.EPOCH);
            assertTrue(s.putSession(session("pn-1", "pne-a", new byte[] {1, 2, 3})));

            assertTrue(s.reserveSend("pn-1", EntityId.of("pne-a"), 2048));
            assertTrue(s.reserveSend("pn-1", EntityId.of("pne-a"), 1024)); // a late writer: ignored
            assertTrue(s.received("pn-1", EntityId.of("pne-a"), 5));
            assertTrue(s.received("pn-1", EntityId.of("pne-a"), 4));
            var kept = s.session("pn-1", EntityId.of("pne-a")).orElseThrow();
            assertEquals(2048, kept.sendLimit());
            assertEquals(5, kept.received());
            assertEquals("modern-v1", kept.suite());
            assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), List.of(kept.sealedKey()[0], kept.sealedKey()[1], kept.sealedKey()[2]));
            assertEquals(Instant.ofEpochMilli(7000), kept.established());

            // a new PN Establishment replaces key and counters
            assertTrue(s.putSession(session("pn-1", "pne-a", new byte[] {9})));
            assertEquals(0, s.session("pn-1", EntityId.of("pne-a")).orElseThrow().sendLimit());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void pneSession_onlyForAMember_andGoneWithTheMembership(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcPnStore s = store(db);
            s.createPn("pn-1", GW, ALICE, Instant.EPOCH);
            s.addMember("pn-1", EntityId.of("pne-a"), Instant.EPOCH);
            s.addMember("pn-1", EntityId.of("pne-b"), Instant.EPOCH);
            assertFalse(s.putSession(session("pn-1", "pne-x", new byte[] {1})), "not a member");
            assertFalse(s.putSession(session("pn-9", "pne-a", new byte[] {1})), "no such PN");
            assertTrue(s.session("pn-1", EntityId.of("pne-x")).isEmpty());
            assertTrue(s.putSession(session("pn-1", "pne-a", new byte[] {1})));
            assertTrue(s.putSession(session("pn-1", "pne-b", new byte[] {1})));

            s.removeMember("pn-1", EntityId.of("pne-a"));
            assertTrue(s.session("pn-1", EntityId.of("pne-a")).isEmpty());
            assertFalse(s.received("pn-1", EntityId.of("pne-a"), 1), "a counter of a session gone is not recorded");
            assertFalse(s.reserveSend("pn-1", EntityId.of("pne-a"), 1024));
            assertTrue(s.deleteSession("pn-1", EntityId.of("pne-b")));
            assertFalse(s.deleteSession("pn-1", EntityId.of("pne-b")));
        }
    }

    private static void entity(Sql sql, String id, String kind) {
        sql.insertIfAbsent("INSERT INTO cpns_user (user_id, password_hash, created_at) VALUES (?, ?, ?)", ALICE.value(), "x", 0L);
        sql.update("INSERT INTO cpns_entity (entity_id, kind, user_id, eukey_sealed, eukey_fp, assigned_at) VALUES (?, ?, ?, ?, ?, ?)",
                id, kind, ALICE.value(), new byte[] {1}, "fp", 0L);
    }

    /** Seed 004 steps 4 and 10, kept for seed 003's check of the security level within the PN (schema version 9). */
    @ParameterizedTest
    @MethodSource("dbs")
    void pneInfoAndGatewayInfo_keptAndReplacedWhole_andGoneWithTheEntity(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcPnStore s = store(db);
            Sql sql = new Sql(db.pool());
            entity(sql, "pne-a", "PNE");
            entity(sql, GW.value(), "GATEWAY");
            EntityId a = EntityId.of("pne-a");
            assertTrue(s.pneInfo(a).isEmpty());
            s.putPneInfo(new io.cpns.api.server.PneInfo(a, GW, java.util.Map.of("ui", "true", "screen", "4k"),
                    io.cpns.api.LinkProtection.PAN, Instant.ofEpochMilli(7)));
            var info = s.pneInfo(a).orElseThrow();
            assertEquals(java.util.Map.of("ui", "true", "screen", "4k"), info.capabilities());
            assertEquals(io.cpns.api.LinkProtection.PAN, info.protection());
            assertEquals(GW, info.gateway());
            assertEquals(Instant.ofEpochMilli(7), info.reported());

            s.putPneInfo(new io.cpns.api.server.PneInfo(a, GW, java.util.Map.of("ui", "false"), null, Instant.ofEpochMilli(8)));
            info = s.pneInfo(a).orElseThrow();
            assertEquals(java.util.Map.of("ui", "false"), info.capabilities(), "replaced whole, not merged");
            assertEquals(null, info.protection(), "not reported: unknown");
            assertFalse(info.meets(io.cpns.api.LinkProtection.PAN));
            assertTrue(info.meets(io.cpns.api.LinkProtection.NONE));

            s.putGatewayInfo(new io.cpns.api.server.GatewayInfo(GW, java.util.Map.of("device", "home-gateway"),
                    java.util.Map.of("plan", "home"), Instant.ofEpochMilli(9)));
            s.putGatewayInfo(new io.cpns.api.server.GatewayInfo(GW, java.util.Map.of("device", "set-top-box"),
                    java.util.Map.of("plan", "family"), Instant.ofEpochMilli(10)));
            var gw = s.gatewayInfo(GW).orElseThrow();
            assertEquals(java.util.Map.of("device", "set-top-box"), gw.capabilities());
            assertEquals(java.util.Map.of("plan", "family"), gw.subscription());
            assertEquals(Instant.ofEpochMilli(10), gw.reported());

            sql.update("DELETE FROM cpns_entity WHERE entity_id IN (?, ?)", "pne-a", GW.value());
            assertTrue(s.pneInfo(a).isEmpty(), "an entity deleted takes its PNE Info with it");
            assertTrue(s.gatewayInfo(GW).isEmpty());
        }
    }
}
