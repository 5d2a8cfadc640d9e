package io.cpns.server.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.server.store.KeyAssignmentStore.Registration;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Seed 001 §7.x.2.1.2 step 3 on every available database: ID, password hash per suite, subscription. */
class JdbcKeyAssignmentStoreTest {
    static java.util.stream.Stream<String> dbs() {
        return Databases.names();
    }

    private static final UserId ALICE = UserId.of("alice");
    private static final EntityId GW = EntityId.of("gw-home");
    private static final Instant T = Instant.ofEpochMilli(7000);

    private static JdbcKeyAssignmentStore store(Databases.Db db) throws Exception {
        try (Connection c = db.pool().getConnection()) {
            Schema.migrate(c);
        }
        Sql sql = new Sql(db.pool());
        sql.update("INSERT INTO cpns_user (user_id, password_hash, created_at) VALUES (?, ?, ?)", ALICE.value(), "x", 0L);
        return new JdbcKeyAssignmentStore(sql);
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void register_storesEachSuitesHash_andTheSubscription_andReplacesAnEarlierOne(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcKeyAssignmentStore s = store(db);
            assertTrue(s.registration(ALICE).isEmpty());
            s.register(ALICE, Map.of("modern-v1", new byte[] {1}, "legacy-v1", new byte[] {2}), Map.of("plan", "home", "tv", "yes"), GW, T);
            assertArrayEquals(new byte[] {1}, s.sealedPasswordHash(ALICE, "modern-v1").orElseThrow());
            assertArrayEquals(new byte[] {2}, s.sealedPasswordHash(ALICE, "legacy-v1").orElseThrow());
            assertEquals(new Registration(ALICE, Map.of("plan", "home", "tv", "yes"), GW, T), s.registration(ALICE).orElseThrow());

            s.register(ALICE, Map.of("modern-v1", new byte[] {3}), Map.of(), GW, T.plusSeconds(1));
            assertArrayEquals(new byte[] {3}, s.sealedPasswordHash(ALICE, "modern-v1").orElseThrow());
            assertTrue(s.sealedPasswordHash(ALICE, "legacy-v1").isEmpty(), "the new registration replaces every hash");
            assertEquals(Map.of(), s.registration(ALICE).orElseThrow().subscription());
            assertTrue(s.sealedPasswordHash(UserId.of("bob"), "modern-v1").isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void deletePasswordHashesExcept_removesTheSuitesNoLongerAccepted_only(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcKeyAssignmentStore s = store(db);
            s.register(ALICE, Map.of("modern-v1", new byte[] {1}, "legacy-v1", new byte[] {2}), Map.of(), GW, T);
            assertEquals(1, s.deletePasswordHashesExcept(java.util.Set.of("modern-v1")));
            assertTrue(s.sealedPasswordHash(ALICE, "legacy-v1").isEmpty());
            assertArrayEquals(new byte[] {1}, s.sealedPasswordHash(ALICE, "modern-v1").orElseThrow());
            assertTrue(s.registration(ALICE).isPresent(), "the registration stays");
            assertEquals(0, s.deletePasswordHashesExcept(java.util.Set.of("modern-v1")));
        }
    }
}
