package io.cpns.server.update.internal;

import io.cpns.testkit.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.InstalledBundle;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateCancel;
import io.cpns.api.message.UpdateOffer;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.server.store.UpdateStore;
import io.cpns.server.update.GatewayProgress;
import io.cpns.server.update.RolloutRequest;
import io.cpns.server.update.RolloutView;
import io.cpns.server.update.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Updates} on a real database (H2, and PostgreSQL when {@code CPNS_TEST_PG_URL} is set):
 * offers, statuses, pause/resume/cancel, and a Server restart in the middle. The gateways are the
 * test's {@link Updates.GatewayLink}: it answers as a gateway's session would, synchronously.
 */
class UpdatesTest {
    private static final String PG_URL = System.getenv("CPNS_TEST_PG_URL");

    /** Gateways on the other end: connected or not, answering offers with ack or an error. */
    static final class Gateways implements Updates.GatewayLink {
        final Set<String> connected = new HashSet<>();
        final List<String> offers = new CopyOnWriteArrayList<>();
        final List<String> cancels = new CopyOnWriteArrayList<>();
        final List<UpdateOffer> offerBodies = new CopyOnWriteArrayList<>();
        /** Gateways that answer an offer with this error. */
        final java.util.Map<String, ErrorCode> refuse = new java.util.HashMap<>();

        @Override
        public Set<String> connected() {
            return Set.copyOf(connected);
        }

        @Override
        public CompletionStage<Message> send(String gateway, Message request) {
            if (!connected.contains(gateway)) {
                return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, gateway + " has no session"));
            }
            if (request instanceof UpdateOffer o) {
                offers.add(gateway);
                offerBodies.add(o);
                ErrorCode e = refuse.get(gateway);
                if (e != null) {
                    return CompletableFuture.failedFuture(new CpnsException(e, "refused by the test"));
                }
            } else if (request instanceof UpdateCancel) {
                cancels.add(gateway);
            }
            return CompletableFuture.completedFuture(new Ack());
        }
    }

    private OpenStore db;
    private String schema;

    private UpdateStore open(String kind) throws Exception {
        if (kind.equals("h2")) {
            db = JdbcStores.open("jdbc:h2:mem:u" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4);
        } else {
            org.junit.jupiter.api.Assumptions.assumeTrue(PG_URL != null && !PG_URL.isBlank(),
                    "CPNS_TEST_PG_URL not set: PostgreSQL case skipped (.ci/run installs PostgreSQL and sets it)");
            schema = "u_" + java.util.UUID.randomUUID().toString().replace("-", "");
            String user = System.getenv().getOrDefault("CPNS_TEST_PG_USER", "cpns");
            String password = System.getenv().getOrDefault("CPNS_TEST_PG_PASSWORD", "cpns");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(PG_URL, user, password);
                 java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            }
            db = JdbcStores.open(PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password, 4);
        }
        return db.updateStore();
    }

    @AfterEach
    void close() throws Exception {
        if (db != null) {
            db.close();
        }
        if (schema != null) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(PG_URL, System.getenv().getOrDefault("CPNS_TEST_PG_USER", "cpns"),
                    System.getenv().getOrDefault("CPNS_TEST_PG_PASSWORD", "cpns")); java.sql.Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final Gateways gateways = new Gateways();
    private final List<String> fleet = new ArrayList<>();
    private final List<String> logged = new CopyOnWriteArrayList<>();

    @BeforeEach
    void fleet() {
        for (int i = 0; i < 40; i++) {
            fleet.add(String.format("gw-%02d", i));
        }
    }

    private Updates updates(UpdateStore store) {
        return new Updates(store, t -> fleet, gateways, clock, new Updates.Settings(() -> "https://127.0.0.1:7444/cpns/releases/",
                Duration.ofMinutes(1)), new Updates.Log() {
                    @Override
                    public void info(String line) {
                        logged.add(line);
                    }

                    @Override
                    public void warn(String line) {
                        logged.add("WARN " + line);
                    }
                });
    }

    private static void publish(UpdateStore store, long seq) {
        store.insertRelease(new UpdateStore.ReleaseRow(seq, "test", "cpns", "gateway", 4_000_000_000L, "k1", 1, new byte[] {1}, new byte[] {2},
                new byte[] {3}, new byte[] {4}, Instant.EPOCH, List.of(new UpdateStore.ReleaseFile("gw-pn.jar", "gw-pn", "0.2.0", 10,
                        new byte[32], "HOT", 2))));
    }

    private static RolloutRequest request(String id) {
        return new RolloutRequest(id, 7, new Target(Target.Kind.ALL, List.of()), "4,100%", 100, 10, Duration.ofMinutes(10), Duration.ofHours(1),
                "02:00-04:00");
    }

    private void step(Updates u, Duration d) {
        clock.advance(d);
        u.tick();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void offersGoToConnectedGatewaysOfTheStartedWave_anOfflineOneAtItsReconnect_statusesAreStored(String kind) throws Exception {
        UpdateStore store = open(kind);
        publish(store, 7);
        Updates u = updates(store);
        gateways.connected.addAll(fleet.subList(0, 39)); // one of the fleet is offline
        RolloutView v = u.start(request("r1"));
        assertEquals(40, v.gateways());
        assertEquals(4, v.waveFigures().get(0).size());
        List<String> canaries = canaries(store);
        assertEquals(Set.copyOf(gateways.offers), Set.copyOf(canaries.stream().filter(gateways.connected::contains).toList()),
                "only the canary wave is offered");
        UpdateOffer o = gateways.offerBodies.get(0);
        assertEquals("r1", o.rolloutId());
        assertEquals("https://127.0.0.1:7444/cpns/releases/7/", o.artifactUrl());
        assertEquals("02:00-04:00", o.window());
        assertEquals(1, o.manifest()[0], "the signed bytes as published");

        String offline = fleet.get(39);
        boolean offlineIsCanary = canaries.contains(offline);
        for (String c : canaries) {
            if (!c.equals(offline)) {
                assertInstanceOf(Ack.class, u.status(c, new UpdateStatus("r1", 7, UpdateState.ACCEPTED, null, null, 1)));
                u.status(c, new UpdateStatus("r1", 7, UpdateState.COMMITTED, null, "ok", 2));
                u.status(c, new UpdateStatus("r1", 7, UpdateState.COMMITTED, null, "ok", 2)); // resent after a reconnect
            }
        }
        if (offlineIsCanary) {
            gateways.connected.add(offline);
            u.connected(EntityId.of(offline));
            assertTrue(gateways.offers.contains(offline), "offered at its reconnect");
            u.status(offline, new UpdateStatus("r1", 7, UpdateState.COMMITTED, null, null, 3));
        }
        step(u, Duration.ofMinutes(10));
        RolloutView after = u.rollout("r1").orElseThrow();
        assertTrue(after.waveFigures().get(1).startedAt() != null, "the canaries committed and soaked: wave 2 started");
        if (!offlineIsCanary) {
            assertFalse(gateways.offers.contains(offline));
            gateways.connected.add(offline);
            u.connected(EntityId.of(offline));
            assertTrue(gateways.offers.contains(offline), "offered at its reconnect");
        }
        assertEquals(40, gateways.offers.size(), "every gateway offered once");
        String done = canaries.get(0).equals(offline) ? canaries.get(1) : canaries.get(0);
        GatewayProgress p = u.progress("r1", EntityId.of(done)).orElseThrow();
        assertEquals(List.of("ACCEPTED", "COMMITTED"), p.history().stream().map(GatewayProgress.Step::state).toList(),
                "each state once, the repeat is not a second row");
        assertEquals("COMMITTED", p.phase());
    }

    private static List<String> canaries(UpdateStore store) {
        return store.rollout("r1").orElseThrow().members().stream().filter(m -> m.wave() == 0).map(UpdateStore.MemberRow::gatewayId).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aServerRestart_continuesFromTheDatabase(String kind) throws Exception {
        UpdateStore store = open(kind);
        publish(store, 7);
        gateways.connected.addAll(fleet);
        Updates first = updates(store);
        first.start(request("r1"));
        List<String> canaries = canaries(store);
        first.status(canaries.get(0), new UpdateStatus("r1", 7, UpdateState.DOWNLOADING, null, null, 1));
        first.status(canaries.get(1), new UpdateStatus("r1", 7, UpdateState.ROLLED_BACK, UpdateFailure.HEALTH_FAILED, "gw-pn unsatisfied", 2));
        first.pause("r1");
        RolloutView before = first.rollout("r1").orElseThrow();

        Updates second = updates(store); // the Server restarted
        RolloutView after = second.rollout("r1").orElseThrow();
        assertEquals(before.byPhase(), after.byPhase());
        assertEquals("PAUSED", after.state());
        assertEquals(before.reason(), after.reason());
        second.resume("r1");
        second.status(canaries.get(0), new UpdateStatus("r1", 7, UpdateState.COMMITTED, null, null, 3));
        assertEquals(1, second.rollout("r1").orElseThrow().byPhase().get("COMMITTED"));
        assertEquals(1, second.rollout("r1").orElseThrow().byPhase().get("ROLLED_BACK"));
        assertEquals(List.of("ROLLED_BACK"), store.statuses("r1", EntityId.of(canaries.get(1))).stream().map(UpdateStore.StatusRow::state).toList());
        assertEquals("HEALTH_FAILED", store.statuses("r1", EntityId.of(canaries.get(1))).get(0).failure());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2"})
    void cancel_tellsOfferedGatewaysNotYetApplying_andNothingIsOfferedAfter(String kind) throws Exception {
        UpdateStore store = open(kind);
        publish(store, 7);
        gateways.connected.addAll(fleet);
        Updates u = updates(store);
        u.start(request("r1"));
        List<String> canaries = canaries(store);
        u.status(canaries.get(0), new UpdateStatus("r1", 7, UpdateState.APPLYING, null, null, 1));
        u.status(canaries.get(1), new UpdateStatus("r1", 7, UpdateState.COMMITTED, null, null, 1));
        RolloutView v = u.cancel("r1");
        assertEquals("CANCELLED", v.state());
        assertEquals(Set.of(canaries.get(2), canaries.get(3)), Set.copyOf(gateways.cancels));
        int offers = gateways.offers.size();
        step(u, Duration.ofDays(2));
        assertEquals(offers, gateways.offers.size());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> u.resume("r1")).code());
        // the gateway that was applying carries on and reports: still recorded
        u.status(canaries.get(0), new UpdateStatus("r1", 7, UpdateState.COMMITTED, null, null, 2));
        assertEquals(2, u.rollout("r1").orElseThrow().byPhase().get("COMMITTED"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2"})
    void anOfferRefusedByTheGateway_isAFailure_aTransientErrorIsRetried(String kind) throws Exception {
        UpdateStore store = open(kind);
        publish(store, 7);
        Updates u = updates(store);
        u.start(new RolloutRequest("r1", 7, new Target(Target.Kind.ALL, List.of()), "4,100%", 100, 50, Duration.ofMinutes(10),
                Duration.ofHours(1), null)); // nobody connected yet; 2 of 4 failures pause
        List<String> canaries = canaries(store);
        gateways.connected.addAll(canaries);
        gateways.refuse.put(canaries.get(0), ErrorCode.UNKNOWN_TYPE); // no update agent
        gateways.refuse.put(canaries.get(1), ErrorCode.TIMEOUT);
        step(u, Duration.ofSeconds(1));
        assertEquals(4, gateways.offers.size());
        RolloutView v = u.rollout("r1").orElseThrow();
        assertEquals(1, v.byPhase().get("FAILED"));
        assertEquals("RUNNING", v.state(), "1 of 4 is below the 50% failure threshold");
        assertEquals(1, v.byPhase().get("DUE"), "the timed-out one is due again");
        assertTrue(store.statuses("r1", EntityId.of(canaries.get(0))).get(0).detail().startsWith("offer refused: UNKNOWN_TYPE"));
        step(u, Duration.ofSeconds(30));
        assertEquals(4, gateways.offers.size(), "not before the retry time");
        gateways.refuse.remove(canaries.get(1));
        step(u, Duration.ofSeconds(30));
        assertEquals(5, gateways.offers.size());
        assertEquals(0, u.rollout("r1").orElseThrow().byPhase().get("DUE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2"})
    void badStatuses_areTypedErrors(String kind) throws Exception {
        UpdateStore store = open(kind);
        publish(store, 7);
        gateways.connected.addAll(fleet);
        Updates u = updates(store);
        u.start(request("r1"));
        String canary = canaries(store).get(0);
        String notTarget = "gw-elsewhere";
        assertEquals(ErrorCode.UNKNOWN_ENTITY, assertThrows(CpnsException.class,
                () -> u.status(canary, new UpdateStatus("r9", 7, UpdateState.ACCEPTED, null, null, 1))).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class,
                () -> u.status(canary, new UpdateStatus("r1", 8, UpdateState.ACCEPTED, null, null, 1))).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class,
                () -> u.status(notTarget, new UpdateStatus("r1", 7, UpdateState.ACCEPTED, null, null, 1))).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class,
                () -> u.status(canary, new UpdateStatus("r1", 7, UpdateState.ACCEPTED, null, "x".repeat(161), 1))).code());
        assertEquals(ErrorCode.UNKNOWN_ENTITY, assertThrows(CpnsException.class, () -> u.start(new RolloutRequest("r2", 99,
                new Target(Target.Kind.ALL, List.of()), "100%", 90, 5, Duration.ZERO, Duration.ofHours(1), null))).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> u.start(new RolloutRequest("r2", 7,
                new Target(Target.Kind.ALL, List.of()), "50%", 90, 5, Duration.ZERO, Duration.ofHours(1), null))).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> u.start(request("r1"))).code(), "ID taken");
        assertEquals(List.of(), store.statuses("r1", EntityId.of(canary)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2"})
    void aRefusalOfAnOfferTheGatewayCouldNotTrust_comesWithReleaseSeq0_andIsRecordedAsTheRollouts(String kind) throws Exception {
        UpdateStore store = open(kind);
        publish(store, 7);
        gateways.connected.addAll(fleet);
        Updates u = updates(store);
        u.start(request("r1"));
        String canary = canaries(store).get(0);
        // the gateway refuses before it trusts the manifest (bad signature): it does not know the sequence
        assertInstanceOf(Ack.class, u.status(canary, new UpdateStatus("r1", 0, UpdateState.REFUSED, UpdateFailure.BAD_SIGNATURE, "keys document: signature does not verify", 1)));
        assertEquals(List.of("REFUSED"), store.statuses("r1", EntityId.of(canary)).stream().map(r -> r.state()).toList());
        assertEquals(7, store.statuses("r1", EntityId.of(canary)).get(0).releaseSeq());
        // a state that needs the manifest still has to name the rollout's release
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class,
                () -> u.status(canary, new UpdateStatus("r1", 0, UpdateState.DOWNLOADING, null, null, 2))).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2"})
    void inventory_reportedIsStored(String kind) throws Exception {
        UpdateStore store = open(kind);
        Updates u = updates(store);
        u.inventory("gw-01", new GatewayInventory(6, List.of(new InstalledBundle("gw-pn", "0.2.0", "ACTIVE", 2, true)), true, null, null));
        UpdateStore.InventoryRow row = u.inventory(EntityId.of("gw-01")).orElseThrow();
        assertEquals(6, row.committedSeq());
        assertNull(row.rolloutId());
        assertEquals("gw-pn", row.bundles().get(0).symbolicName());
    }
}
