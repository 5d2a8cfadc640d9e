package io.cpns.server.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.ServiceGroup;
import io.cpns.server.store.GroupStore;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Service Groups and their sealed Group Keys (TS §5.3.2) on every available database. */
class JdbcGroupStoreTest {
    static java.util.stream.Stream<String> dbs() {
        return Databases.names();
    }

    private static final UserId ALICE = UserId.of("alice");
    private static final EntityId TV = EntityId.of("pne-tv");
    private static final EntityId RADIO = EntityId.of("pne-radio");
    private static final Instant T = Instant.ofEpochMilli(5000);

    private static JdbcGroupStore store(Databases.Db db) throws Exception {
        try (Connection c = db.pool().getConnection()) {
            Schema.migrate(c);
        }
        Sql sql = new Sql(db.pool());
        sql.update("INSERT INTO cpns_user (user_id, password_hash, created_at) VALUES (?, ?, ?)", ALICE.value(), "x", 0L);
        return new JdbcGroupStore(sql);
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void create_atEpochOne_withItsSealedKey_andAnIdOnlyOnce(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcGroupStore s = store(db);
            assertTrue(s.createGroup("sg-1", ALICE, T, new byte[] {1}, "fp1"));
            assertFalse(s.createGroup("sg-1", ALICE, T, new byte[] {2}, "fp2"));
            assertEquals(new ServiceGroup("sg-1", ALICE, T, 1, "fp1", List.of()), s.group("sg-1").orElseThrow());
            assertEquals(1, s.groupKey("sg-1").orElseThrow().epoch());
            assertArrayEquals(new byte[] {1}, s.groupKey("sg-1").orElseThrow().sealed());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void joinAndLeave_changeMembersAndKeyTogether_atTheNextEpochOnly(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcGroupStore s = store(db);
            s.createGroup("sg-1", ALICE, T, new byte[] {1}, "fp1");
            assertTrue(s.changeMembers("sg-1", TV, true, T, 2, new byte[] {2}, "fp2"));
            assertTrue(s.changeMembers("sg-1", RADIO, true, T, 3, new byte[] {3}, "fp3"));
            assertEquals(List.of(RADIO, TV), s.group("sg-1").orElseThrow().members());
            assertFalse(s.changeMembers("sg-1", TV, true, T, 4, new byte[] {4}, "fp4"), "already a member");
            assertEquals(3, s.groupKey("sg-1").orElseThrow().epoch(), "and the key did not move either");
            assertFalse(s.changeMembers("sg-1", TV, false, T, 3, new byte[] {9}, "fp9"), "a stale epoch loses");

            assertTrue(s.changeMembers("sg-1", TV, false, T, 4, new byte[] {4}, "fp4"));
            assertEquals(List.of(RADIO), s.group("sg-1").orElseThrow().members());
            assertArrayEquals(new byte[] {4}, s.groupKey("sg-1").orElseThrow().sealed());
            assertEquals(List.of("sg-1"), s.groupsOf(RADIO).stream().map(ServiceGroup::groupId).toList());
            assertTrue(s.groupsOf(TV).isEmpty());
            assertFalse(s.changeMembers("sg-9", TV, true, T, 2, new byte[] {2}, "fp2"), "no such group");
        }
    }

    /** Seed 003 §5.3.2: a PN GW as Group Key Manager, set at creation, handed on or back with the next epoch's key. */
    @ParameterizedTest
    @MethodSource("dbs")
    void keyManager_storedWithTheGroup_andChangedTogetherWithTheKey(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcGroupStore s = store(db);
            EntityId gw = EntityId.of("gw-attic");
            assertTrue(s.createGroup("sg-1", ALICE, T, new byte[] {1}, "fp1", gw));
            assertEquals(gw, s.group("sg-1").orElseThrow().keyManager());
            assertFalse(s.assignKeyManager("sg-1", null, 3, new byte[] {3}, "fp3"), "a stale epoch loses");
            assertEquals(gw, s.group("sg-1").orElseThrow().keyManager());
            assertTrue(s.assignKeyManager("sg-1", null, 2, new byte[] {2}, "fp2"));
            ServiceGroup g = s.group("sg-1").orElseThrow();
            assertTrue(g.manager().isEmpty());
            assertEquals(2, g.epoch());
            assertArrayEquals(new byte[] {2}, s.groupKey("sg-1").orElseThrow().sealed());
            assertTrue(s.assignKeyManager("sg-1", gw, 3, new byte[] {3}, "fp3"));
            assertEquals(gw, s.groups().get(0).keyManager());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void updateKey_movesOneEpoch_andDelete_removesGroupMembersAndKey(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcGroupStore s = store(db);
            s.createGroup("sg-1", ALICE, T, new byte[] {1}, "fp1");
            s.changeMembers("sg-1", TV, true, T, 2, new byte[] {2}, "fp2");
            assertTrue(s.updateKey("sg-1", 3, new byte[] {3}, "fp3"));
            assertFalse(s.updateKey("sg-1", 3, new byte[] {7}, "fp7"), "the same epoch twice");
            assertEquals(3, s.group("sg-1").orElseThrow().epoch());

            assertTrue(s.deleteGroup("sg-1"));
            assertFalse(s.deleteGroup("sg-1"));
            assertTrue(s.group("sg-1").isEmpty());
            assertTrue(s.groupKey("sg-1").isEmpty());
            assertTrue(s.groupsOf(TV).isEmpty());
            assertTrue(s.groups().isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void keyTimes_areWhenEachGroupsCurrentKeyWasStored(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcGroupStore s = store(db);
            s.createGroup("sg-1", ALICE, T, new byte[] {1}, "fp1");
            s.createGroup("sg-2", ALICE, T, new byte[] {1}, "fp1");
            Instant joined = T.plusSeconds(60);
            s.changeMembers("sg-1", TV, true, joined, 2, new byte[] {2}, "fp2");
            Instant updated = T.plusSeconds(3600);
            s.updateKey("sg-2", 2, new byte[] {2}, "fp2", updated);
            assertEquals(List.of(new GroupStore.KeyTime("sg-1", 2, joined), new GroupStore.KeyTime("sg-2", 2, updated)), s.keyTimes());
            Instant handedOver = updated.plusSeconds(1);
            s.assignKeyManager("sg-1", EntityId.of("gw-a"), 3, new byte[] {3}, "fp3", handedOver);
            assertEquals(new GroupStore.KeyTime("sg-1", 3, handedOver), s.keyTimes().get(0));
            assertFalse(s.updateKey("sg-2", 2, new byte[] {7}, "fp7", handedOver), "a stale epoch loses");
            assertEquals(updated, s.keyTimes().get(1).updated(), "and leaves the key's age alone");
        }
    }

    /** Seed 003's security-level check: a group's minimum protection changes with the next epoch's key; a group of schema 8 requires none. */
    @ParameterizedTest
    @MethodSource("dbs")
    void minProtection_storedWithTheNextKey_andNoneForAGroupMadeBeforeSchemaVersion9(String name) throws Exception {
        try (Databases.Db db = Databases.open(name); Connection c = db.pool().getConnection()) {
            var st = c.createStatement();
            st.execute("CREATE TABLE cpns_schema (version INT NOT NULL)");
            for (int v = 0; v < 8; v++) {
                for (String sql : Schema.VERSIONS.get(v)) {
                    st.execute(sql);
                }
                st.execute("INSERT INTO cpns_schema (version) VALUES (" + (v + 1) + ")");
            }
            Sql sql = new Sql(db.pool());
            sql.update("INSERT INTO cpns_user (user_id, password_hash, created_at) VALUES (?, ?, ?)", ALICE.value(), "x", 0L);
            JdbcGroupStore s = new JdbcGroupStore(sql);
            sql.update("INSERT INTO cpns_group (group_id, user_id, created_at, epoch, key_sealed, key_fp, updated_at) VALUES"
                    + " (?, ?, ?, ?, ?, ?, ?)", "sg-old", ALICE.value(), 1L, 1L, new byte[] {1}, "fp1", 1L);
            assertEquals(Schema.VERSIONS.size(), Schema.migrate(c));
            assertEquals(io.cpns.api.LinkProtection.NONE, s.group("sg-old").orElseThrow().minProtection());

            assertTrue(s.requireProtection("sg-old", io.cpns.api.LinkProtection.SESSION, 2, new byte[] {2}, "fp2"));
            assertEquals(io.cpns.api.LinkProtection.SESSION, s.group("sg-old").orElseThrow().minProtection());
            assertArrayEquals(new byte[] {2}, s.groupKey("sg-old").orElseThrow().sealed());
            assertFalse(s.requireProtection("sg-old", io.cpns.api.LinkProtection.NONE, 2, new byte[] {3}, "fp3"), "a stale epoch loses");
            assertEquals(io.cpns.api.LinkProtection.SESSION, s.group("sg-old").orElseThrow().minProtection());
            assertTrue(s.requireProtection("sg-old", io.cpns.api.LinkProtection.NONE, 3, new byte[] {3}, "fp3"));
            assertEquals(io.cpns.api.LinkProtection.NONE, s.group("sg-old").orElseThrow().minProtection());
        }
    }
}
