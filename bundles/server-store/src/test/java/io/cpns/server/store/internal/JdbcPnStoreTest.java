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
}
