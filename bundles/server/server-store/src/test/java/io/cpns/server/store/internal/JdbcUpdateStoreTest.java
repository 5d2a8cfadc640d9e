package io.cpns.server.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.server.store.UpdateStore.InventoryBundle;
import io.cpns.server.store.UpdateStore.InventoryRow;
import io.cpns.server.store.UpdateStore.MemberRow;
import io.cpns.server.store.UpdateStore.ReleaseFile;
import io.cpns.server.store.UpdateStore.ReleaseRow;
import io.cpns.server.store.UpdateStore.RolloutRow;
import io.cpns.server.store.UpdateStore.StatusRow;
import io.cpns.server.store.UpdateStore.StoredRollout;
import io.cpns.server.store.UpdateStore.WaveRow;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Releases, labels, rollouts, status history and inventories (schema version 7) on every available database. */
class JdbcUpdateStoreTest {
    static java.util.stream.Stream<String> dbs() {
        return Databases.names();
    }

    private static JdbcUpdateStore store(Databases.Db db) throws Exception {
        try (Connection c = db.pool().getConnection()) {
            Schema.migrate(c);
        }
        return new JdbcUpdateStore(new Sql(db.pool()));
    }

    static ReleaseRow release(long seq) {
        return new ReleaseRow(seq, "2026.12-" + seq, "cpns", "gateway", 4_000_000_000L, "00112233445566778899aabbccddeeff", 3,
                new byte[] {1, 2, 3}, new byte[64], new byte[] {4, 5}, new byte[64], Instant.ofEpochMilli(1000),
                List.of(new ReleaseFile("gw-pn-0.2.0.jar", "gw-pn", "0.2.0", 12345, new byte[32], "HOT", 2),
                        new ReleaseFile("cpns-session-0.2.0.jar", "cpns-session", "0.2.0", 999, new byte[32], "RESTART", 2)));
    }

    static RolloutRow rollout(String id, long seq, String state) {
        return new RolloutRow(id, seq, "all", "1,50%,100%", 95, 5, 60_000, 3_600_000, "02:00-04:00", state, null, Instant.ofEpochMilli(2000),
                Instant.ofEpochMilli(2000));
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void release_isStoredWithItsSignedBytesAndFiles_andASecondPublishOfTheSameSequenceChangesNothing(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcUpdateStore s = store(db);
            assertTrue(s.insertRelease(release(7)));
            ReleaseRow other = new ReleaseRow(7, "other", "cpns", "gateway", 1, "k", 1, new byte[] {9}, new byte[1], new byte[1], new byte[1],
                    Instant.EPOCH, List.of());
            assertFalse(s.insertRelease(other));
            ReleaseRow r = s.release(7).orElseThrow();
            assertEquals("2026.12-7", r.name());
            assertArrayEquals(new byte[] {1, 2, 3}, r.manifest());
            assertArrayEquals(new byte[] {4, 5}, r.releaseKeys());
            assertEquals(List.of("cpns-session-0.2.0.jar", "gw-pn-0.2.0.jar"), r.files().stream().map(ReleaseFile::file).toList());
            assertEquals(12345 + 999, r.totalBytes());
            assertTrue(s.insertRelease(release(9)));
            assertEquals(List.of(9L, 7L), s.releases().stream().map(ReleaseRow::releaseSeq).toList());
            assertEquals(2, s.releases().get(1).files().size());
            assertTrue(s.release(8).isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void labels_addRemoveList(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcUpdateStore s = store(db);
            assertTrue(s.addLabel(EntityId.of("gw-2"), "site-a"));
            assertTrue(s.addLabel(EntityId.of("gw-1"), "site-a"));
            assertFalse(s.addLabel(EntityId.of("gw-1"), "site-a"));
            assertTrue(s.addLabel(EntityId.of("gw-1"), "beta"));
            assertEquals(List.of(EntityId.of("gw-1"), EntityId.of("gw-2")), s.labelled("site-a"));
            assertEquals(List.of("beta", "site-a"), s.labels(EntityId.of("gw-1")));
            assertTrue(s.removeLabel(EntityId.of("gw-1"), "site-a"));
            assertFalse(s.removeLabel(EntityId.of("gw-1"), "site-a"));
            assertEquals(List.of(EntityId.of("gw-2")), s.labelled("site-a"));
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void rollout_ofAnUnpublishedRelease_isRefused(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcUpdateStore s = store(db);
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class,
                    () -> s.insertRollout(rollout("r1", 5, "RUNNING"), List.of(), List.of())).code());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void rollout_insertedWithWavesAndMembers_updatedInOneTransaction_andReadBack(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcUpdateStore s = store(db);
            s.insertRelease(release(7));
            List<MemberRow> members = new ArrayList<>();
            for (int i = 0; i < 1200; i++) { // more than one JDBC batch
                members.add(new MemberRow(String.format("gw-%04d", i), i < 10 ? 0 : 1, null, null, null, null, false));
            }
            List<WaveRow> waves = List.of(new WaveRow(0, 10, 5000L, null, 0, false), new WaveRow(1, 1190, null, null, 0, false));
            assertTrue(s.insertRollout(rollout("r1", 7, "RUNNING"), waves, members));
            assertFalse(s.insertRollout(rollout("r1", 7, "RUNNING"), waves, members), "the rollout ID is taken");

            MemberRow m = new MemberRow("gw-0003", 0, 6000L, "COMMITTED", null, 9000L, false);
            StatusRow st = new StatusRow("r1", "gw-0003", "COMMITTED", 7, null, "ok", 8999, Instant.ofEpochMilli(9000));
            RolloutRow paused = new RolloutRow("r1", 7, "all", "1,50%,100%", 95, 5, 60_000, 3_600_000, "02:00-04:00", "PAUSED",
                    "wave 1: 1 failed", Instant.ofEpochMilli(2000), Instant.ofEpochMilli(9000));
            assertTrue(s.updateRollout("r1", paused, List.of(new WaveRow(0, 10, 5000L, 9000L, 1, true)), List.of(m), st));
            assertFalse(s.updateRollout("r1", null, List.of(), List.of(), st), "the same status again is not new");

            StoredRollout back = s.rollout("r1").orElseThrow();
            assertEquals("PAUSED", back.rollout().state());
            assertEquals("wave 1: 1 failed", back.rollout().reason());
            assertEquals("02:00-04:00", back.rollout().window());
            assertEquals(new WaveRow(0, 10, 5000L, 9000L, 1, true), back.waves().get(0));
            assertEquals(new WaveRow(1, 1190, null, null, 0, false), back.waves().get(1));
            assertEquals(1200, back.members().size());
            assertEquals(m, back.members().stream().filter(x -> x.gatewayId().equals("gw-0003")).findFirst().orElseThrow());
            assertEquals(List.of(st), s.statuses("r1", EntityId.of("gw-0003")));
            assertEquals(List.of("r1"), s.rolloutsIn(List.of("PAUSED", "RUNNING")));
            assertEquals(List.of(), s.rolloutsIn(List.of("RUNNING")));
            assertEquals(1, s.rollouts().size());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void statusHistory_keepsEveryStateOnce_inTheOrderReceived(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcUpdateStore s = store(db);
            s.insertRelease(release(7));
            s.insertRollout(rollout("r1", 7, "RUNNING"), List.of(new WaveRow(0, 1, 1L, null, 0, false)),
                    List.of(new MemberRow("gw-1", 0, null, null, null, null, false)));
            String[] states = {"ACCEPTED", "DOWNLOADING", "DOWNLOADED", "DOWNLOADING", "APPLYING", "TRIAL", "ROLLED_BACK", "ROLLED_BACK"};
            int news = 0;
            for (int i = 0; i < states.length; i++) {
                String failure = states[i].equals("ROLLED_BACK") ? "HEALTH_FAILED" : null;
                if (s.updateRollout("r1", null, List.of(), List.of(), new StatusRow("r1", "gw-1", states[i], 7, failure, null, 100 + i,
                        Instant.ofEpochMilli(1000 + i)))) {
                    news++;
                }
            }
            assertEquals(6, news);
            List<StatusRow> h = s.statuses("r1", EntityId.of("gw-1"));
            assertEquals(List.of("ACCEPTED", "DOWNLOADING", "DOWNLOADED", "APPLYING", "TRIAL", "ROLLED_BACK"), h.stream().map(StatusRow::state).toList());
            assertEquals("HEALTH_FAILED", h.get(5).failure());
            assertNull(h.get(0).failure());
        }
    }

    @ParameterizedTest
    @MethodSource("dbs")
    void inventory_isReplacedWhole(String name) throws Exception {
        try (Databases.Db db = Databases.open(name)) {
            JdbcUpdateStore s = store(db);
            EntityId gw = EntityId.of("gw-1");
            s.putInventory(new InventoryRow("gw-1", 6, true, null, null, Instant.ofEpochMilli(1000), List.of(
                    new InventoryBundle("gw-pn", "0.1.0", "ACTIVE", 2, false), new InventoryBundle("cpns-api", "0.1.0", "ACTIVE", 1, false))));
            InventoryRow second = new InventoryRow("gw-1", 7, false, "r1", "TRIAL", Instant.ofEpochMilli(2000), List.of(
                    new InventoryBundle("cpns-api", "0.1.0", "ACTIVE", 1, false), new InventoryBundle("gw-pn", "0.2.0", "ACTIVE", 2, true),
                    new InventoryBundle("gw-pn", "0.2.0", "ACTIVE", 2, true)));
            s.putInventory(second);
            InventoryRow back = s.inventory(gw).orElseThrow();
            assertEquals(7, back.committedSeq());
            assertEquals("TRIAL", back.state());
            assertFalse(back.ready());
            assertEquals(List.of(new InventoryBundle("cpns-api", "0.1.0", "ACTIVE", 1, false),
                    new InventoryBundle("gw-pn", "0.2.0", "ACTIVE", 2, true)), back.bundles());
            assertTrue(s.inventory(EntityId.of("gw-2")).isEmpty());
        }
    }
}
