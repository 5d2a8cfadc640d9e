package io.cpns.server.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The store against every available database (H2 always, PostgreSQL when configured). */
class JdbcServerStoreTest {
    static java.util.stream.Stream<String> dbs() {
        return Databases.names();
    }

    private static JdbcServerStore store(Databases.Db db) throws Exception {
        try (Connection c = db.pool().getConnection()) {
            Schema.migrate(c);
        }
        return new JdbcServerStore(new Sql(db.pool()), db.name());
    }

    private static EntityRecord gw(String id, String user) {
        return new EntityRecord(EntityId.of(id), EntityKind.GATEWAY, UserId.of(user), Instant.now().truncatedTo(ChronoUnit.MILLIS), "fp", null);
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void users_insertFindList_duplicateIsUserExists(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcServerStore s = store(db);
            s.insertUser(UserId.of("bob"), "h1");
            s.insertUser(UserId.of("alice"), "h2");
            assertEquals("h1", s.passwordHash(UserId.of("bob")).orElseThrow());
            assertEquals(List.of(UserId.of("alice"), UserId.of("bob")), s.users());
            assertEquals(ErrorCode.USER_EXISTS, assertThrows(CpnsException.class, () -> s.insertUser(UserId.of("bob"), "x")).code());
            assertTrue(s.passwordHash(UserId.of("carol")).isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void entity_storedWithUserId_andSealedKey(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcServerStore s = store(db);
            s.insertUser(UserId.of("alice"), "h");
            EntityRecord r = gw("gw-1", "alice");
            s.insertEntity(r, new byte[] {9, 8, 7});
            assertEquals(r, s.entity(EntityId.of("gw-1")).orElseThrow());
            assertArrayEquals(new byte[] {9, 8, 7}, s.sealedEuKey(EntityId.of("gw-1")).orElseThrow());
            assertEquals(List.of(r), s.entitiesOf(UserId.of("alice")));
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void secondAssignment_isAlreadyAssigned_andKeepsTheFirstKey(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcServerStore s = store(db);
            s.insertUser(UserId.of("alice"), "h");
            s.insertEntity(gw("gw-1", "alice"), new byte[] {1});
            assertEquals(ErrorCode.ALREADY_ASSIGNED,
                    assertThrows(CpnsException.class, () -> s.insertEntity(gw("gw-1", "alice"), new byte[] {2})).code());
            assertArrayEquals(new byte[] {1}, s.sealedEuKey(EntityId.of("gw-1")).orElseThrow());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void unconfirmedKey_canBeReplacedBySameOwnerAndKind_onlyUntilConfirmed(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcServerStore s = store(db);
            s.insertUser(UserId.of("alice"), "h");
            s.insertUser(UserId.of("bob"), "h");
            s.insertEntity(gw("gw-1", "alice"), new byte[] {1});
            assertTrue(!s.replaceUnconfirmedEuKey(gw("gw-1", "bob"), new byte[] {9}), "another owner replaced the key");
            assertTrue(s.replaceUnconfirmedEuKey(gw("gw-1", "alice"), new byte[] {2}));
            assertArrayEquals(new byte[] {2}, s.sealedEuKey(EntityId.of("gw-1")).orElseThrow());
            Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            s.confirmEntity(EntityId.of("gw-1"), at);
            assertEquals(at, s.entity(EntityId.of("gw-1")).orElseThrow().confirmedAt());
            s.confirmEntity(EntityId.of("gw-1"), at.plusSeconds(60)); // the first confirmation stays
            assertEquals(at, s.entity(EntityId.of("gw-1")).orElseThrow().confirmedAt());
            assertTrue(!s.replaceUnconfirmedEuKey(gw("gw-1", "alice"), new byte[] {3}), "a confirmed key was replaced");
            assertArrayEquals(new byte[] {2}, s.sealedEuKey(EntityId.of("gw-1")).orElseThrow());
            assertTrue(s.deleteEntity(EntityId.of("gw-1")));
            assertTrue(s.entity(EntityId.of("gw-1")).isEmpty());
            assertTrue(!s.deleteEntity(EntityId.of("gw-1")));
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void schemaVersion1_isMigrated_keepingItsRows(String name) throws Exception {
        try (Databases.Db db = Databases.open(name); Connection c = db.pool().getConnection()) {
            var st = c.createStatement();
            st.execute("CREATE TABLE cpns_schema (version INT NOT NULL)");
            for (String sql : Schema.VERSIONS.get(0)) {
                st.execute(sql);
            }
            st.execute("INSERT INTO cpns_schema (version) VALUES (1)");
            st.execute("INSERT INTO cpns_user VALUES ('alice', 'h', 0)");
            try (var ps = c.prepareStatement("INSERT INTO cpns_entity (entity_id, kind, user_id, eukey_sealed, eukey_fp,"
                    + " assigned_at) VALUES ('gw-old', 'GATEWAY', 'alice', ?, 'fp', 5)")) {
                ps.setBytes(1, new byte[] {1});
                ps.executeUpdate();
            }
            assertEquals(Schema.VERSIONS.size(), Schema.migrate(c));
            EntityRecord old = new JdbcServerStore(new Sql(db.pool()), name).entity(EntityId.of("gw-old")).orElseThrow();
            assertEquals(Instant.ofEpochMilli(5), old.assignedAt());
            assertEquals(null, old.confirmedAt());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void concurrentAssignments_exactlyOneWins(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcServerStore s = store(db);
            s.insertUser(UserId.of("alice"), "h");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Callable<Boolean>> tasks = java.util.stream.IntStream.range(0, 8).<Callable<Boolean>>mapToObj(i -> () -> {
                try {
                    s.insertEntity(gw("gw-race", "alice"), new byte[] {(byte) i});
                    return true;
                } catch (CpnsException e) {
                    assertEquals(ErrorCode.ALREADY_ASSIGNED, e.code());
                    return false;
                }
            }).toList();
            int wins = 0;
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                wins += f.get() ? 1 : 0;
            }
            pool.shutdown();
            assertEquals(1, wins);
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void entityOfUnknownUser_isInvalidArgument(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcServerStore s = store(db);
            assertEquals(ErrorCode.INVALID_ARGUMENT,
                    assertThrows(CpnsException.class, () -> s.insertEntity(gw("gw-1", "nobody"), new byte[] {1})).code());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void migration_isIdempotent_andRefusesANewerSchema(String name) throws Exception {
        try (Databases.Db db = Databases.open(name); Connection c = db.pool().getConnection()) {
            assertEquals(Schema.VERSIONS.size(), Schema.migrate(c));
            assertEquals(Schema.VERSIONS.size(), Schema.migrate(c));
            c.createStatement().execute("INSERT INTO cpns_schema (version) VALUES (999)");
            assertThrows(java.sql.SQLException.class, () -> Schema.migrate(c));
        }
    }
}
