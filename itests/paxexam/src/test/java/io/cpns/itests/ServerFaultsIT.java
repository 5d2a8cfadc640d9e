package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.message.SetupType;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneConfig;
import io.cpns.testkit.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The fault-injection suite with both sides forked (docs/fault-injection.md): a CPNS Server and a
 * PN GW of the distribution, each a process of its own with its console ({@code script(1)}), and
 * PNE SDK PNEs in this JVM. The Server goes down with a real {@code kill -9} in the middle of PN
 * Establishment, of a Group Key change and of Key Assignment, and comes back cleanly too; the PN GW
 * goes down in the middle of Key Assignment and after an expel. After each: every PNE reconnects,
 * the PN GW's stores (its secret store as on disk, its console) agree with the Server's (its
 * console), and no key is lost.
 *
 * <p>{@code -Dcpns.faults.pnes} sets the fleet's size (default 3; the campaign 20).
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ServerFaultsIT {
    static final String USER = "alice";
    static final String PASSWORD = "alice-fault-secret";
    static final String GW = "gw-faults";
    static final int PNES = Integer.getInteger("cpns.faults.pnes", 3);

    static Path home;
    static ForkedRuntime server;
    static ForkedRuntime gateway;
    static ServerConsole console;
    static PneFleet fleet;
    static final List<PneClient> others = new ArrayList<>();

    @BeforeClass
    public static void serverAndGateway() throws Exception {
        String missing = Commands.missing("script").orElse(null);
        if (missing != null) {
            System.out.println("[ServerFaultsIT] skipped: script(1) is needed for the consoles: " + missing);
        }
        Assume.assumeTrue(missing, missing == null);
        home = Files.createDirectories(Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
                .resolve("server-faults-" + UUID.randomUUID().toString().substring(0, 8)));
        server = ForkedRuntime.server(home.resolve("server")).start().awaitReady();
        console = new ServerConsole(server);
        server.useradd(USER, PASSWORD);
        gateway = ForkedRuntime.gateway(home.resolve("gateway"), GW, server.port("cpns.server.endpoint"), ca(), USER, PASSWORD).terminal()
                .configure("cpns.gw.pn", "authTimeoutMillis=20000", "serverTimeoutMillis=10000");
        provisionPreAssignedKeys();
        gateway.start().awaitReady();
        awaitLinked(0);
        fleet = new PneFleet(EntityId.of(GW), IntStream.range(0, PNES).mapToObj(i -> "pne-sf-" + i).toList(), ServerFaultsIT::config,
                ServerFaultsIT::transport, home.resolve("pnes"));
        fleet.enrol(USER, PASSWORD);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
        others.forEach(PneClient::close);
        for (ForkedRuntime r : new ForkedRuntime[] {gateway, server}) {
            if (r != null) {
                r.stop();
            }
        }
    }

    static Path ca() {
        return server.data().resolve("pki/operator-ca.pem");
    }

    static PneConfig config(String id) {
        return PneConfig.of(id).withServer("cpns-server", ca(), "localhost").withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    static IpTransport transport() {
        return new IpTransport("127.0.0.1", gateway.port("cpns.pan.ip"), false);
    }

    /** The Server's lines saying the PN GW authenticated with its EUKey. */
    static long linkUps() {
        return server.log().lines().filter(l -> l.contains("GATEWAY " + GW + " of CPNS User " + USER + " authenticated")).count();
    }

    /** Waits until the PN GW authenticated more often than {@code before} times, over every start of the Server. */
    static void awaitLinked(long before) {
        eventually(GW + " authenticated with the Server", () -> linkUps() > before, () -> gateway.tail());
    }

    static void eventually(String what, BooleanSupplier condition, java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " after 60 s: " + state.get());
            }
            Osgi.sleep(100);
        }
    }

    /** The Server again, armed at these fault points; the PN GW back on it. */
    static void restartServer(String... faultPoints) throws Exception {
        long ups = linkUps();
        server.stop();
        server.start(faultPoints).awaitReady();
        awaitLinked(ups);
    }

    /** The PNEs of a PN as the PN GW holds it (its console). */
    static List<String> gatewayPnMembers(String pnId) throws IOException {
        return gateway.shell("gw:pn " + pnId).lines().filter(l -> l.startsWith("  ") && l.contains("LocalEUKey"))
                .map(l -> l.trim().split("\\s+")[0]).sorted().toList();
    }

    static List<String> gatewayPns() throws IOException {
        return gateway.shell("gw:pns").lines().skip(1).map(String::trim).filter(l -> l.startsWith("pn-")).map(l -> l.split("\\s+")[0])
                .sorted().toList();
    }

    /** Every PN the PN GW holds is the Server's, with the same members, and the Server holds none of this PN GW's more. */
    static void pnsAgree() throws IOException {
        // what the Server kept of a PN the PN GW did not finish is withdrawn after the link is up again: asynchronously
        Osgi.eventually("the PNs of " + GW + " on the Server and on the PN GW agree", () -> {
            try {
                return console.pns(GW).equals(gatewayPns());
            } catch (IOException e) {
                return false;
            }
        }, () -> {
            try {
                return "Server " + console.pns(GW) + ", PN GW " + gatewayPns();
            } catch (IOException e) {
                return e.toString();
            }
        });
        List<String> here = gatewayPns();
        assertEquals("the PNs of " + GW + " on the Server and on the PN GW", console.pns(GW), here);
        for (String pn : here) {
            assertEquals("members of " + pn, console.pnMembers(pn), gatewayPnMembers(pn));
        }
    }

    /** Every PNE connects with PSK-TLS and holds the LocalEUKey its PN GW holds. */
    static void everyPneBackWithItsKey() throws Exception {
        assertEquals("PNEs locked out", Map.of(), fleet.connectAll(5));
        EncryptedFileStore keys = gateway.keystore();
        try {
            assertEquals("PNEs whose LocalEUKey differs from their PN GW's", Map.of(), fleet.keyMismatches(keys));
        } finally {
            keys.close();
        }
    }

    /**
     * PN Establishment, the Server killed once it stored the PN and its members (steps 11-12) and
     * before the PN GW has its answer; then started again. The PN GW's batch fails; every PNE
     * connects again with the key the PN GW holds, the Server holds no PN the PN GW does not, and a
     * new establishment works.
     */
    /** A clean start logs no ERROR (SCR logged a "Circular reference" between server-groups and server-pn at every start). */
    @Test
    public void s00_theServerStarts_withoutAnError() {
        List<String> errors = server.thisStart().lines().filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ ERROR .*")).toList();
        assertEquals("ERROR lines at the Server's start", List.of(), errors);
    }

    @Test
    public void s01_serverKilledDuringPnEstablishment_afterRegistering_thenBack() throws Exception {
        fleet.establishAll(); // every PNE shares a LocalEUKey: what a re-establishment replaces
        restartServer("server.pn.registered");
        assertEquals(Map.of(), fleet.connectAll(5));

        long ups = linkUps();
        CompletableFuture<?> setup = fleet.setupAll().toCompletableFuture();
        server.awaitFaultPoint("server.pn.registered");
        server.kill9();
        try {
            setup.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            // the initiator hears that its PN was not established
        }
        server.start().awaitReady();
        awaitLinked(ups);

        everyPneBackWithItsKey();
        pnsAgree();
        String pn = fleet.establishAll();
        assertEquals(fleet.pnes().stream().map(p -> p.id().value()).sorted().toList(), console.pnMembers(pn));
        pnsAgree();
    }

    /**
     * A Group Key change, the Server killed once the new epoch is committed and before any PN GW
     * hears of it; then started again. The PN GW catches up: every member holds the Server's key,
     * and so does the PN GW's secret store.
     */
    @Test
    public void s02_serverKilledDuringAGroupKeyChange_thenBack_everyMemberAtTheServersEpoch() throws Exception {
        console.groupadd("sg-sf", USER);
        for (PneClient p : fleet.pnes()) {
            console.groupjoin("sg-sf", p.id().value());
        }
        ServerConsole.Group before = console.group("sg-sf");
        fleet.pnes().forEach(p -> holds(p, "sg-sf", before));
        restartServer("server.groups.stored");

        long ups = linkUps();
        server.typeCommand("server:groupupdate sg-sf");
        server.awaitFaultPoint("server.groups.stored");
        server.kill9();
        server.start().awaitReady();
        awaitLinked(ups);

        ServerConsole.Group now = console.group("sg-sf");
        assertEquals("the change was committed before the kill", before.epoch() + 1, now.epoch());
        assertEquals(Map.of(), fleet.connectAll(5));
        fleet.pnes().forEach(p -> holds(p, "sg-sf", now));
        eventually("the PN GW's store at epoch " + now.epoch(), () -> Stores.epochOf(gateway.keystoreDir(), "gk.sg-sf") == now.epoch(),
                gateway::tail);
    }

    /**
     * A Group Key change delivered, the Server killed before it answered the operator: the PN GW and
     * the members hold the new epoch, so the Server must too when it is back. H2 wrote commits up to
     * 500 ms late: the Server came back one epoch behind, made that epoch again with another key,
     * and the PN GW (holding that epoch already) kept the lost one: members out of step for good.
     */
    @Test
    public void s02b_serverKilledRightAfterDeliveringAGroupKey_keepsTheEpochItsMembersHold() throws Exception {
        ServerConsole.Group before = console.group("sg-sf");
        restartServer("server.groups.delivered");

        long ups = linkUps();
        server.typeCommand("server:groupupdate sg-sf");
        server.awaitFaultPoint("server.groups.delivered");
        eventually("the PN GW stored epoch " + (before.epoch() + 1), () -> Stores.epochOf(gateway.keystoreDir(), "gk.sg-sf")
                == before.epoch() + 1, gateway::tail);
        server.kill9();
        server.start().awaitReady();
        awaitLinked(ups);

        ServerConsole.Group now = console.group("sg-sf");
        assertEquals("the epoch the members were given survived the kill", before.epoch() + 1, now.epoch());
        fleet.pnes().forEach(p -> holds(p, "sg-sf", now));
        ServerConsole.Group next = console.groupupdate("sg-sf");
        fleet.pnes().forEach(p -> holds(p, "sg-sf", next));
    }

    /**
     * A clean restart of the Server: the PN GW reconnects, the PNEs stay connected, the next Group
     * Key reaches them all, and every PNE's relays to the Server work in the PN established before
     * the restart with no new PN Establishment: SK_PNE and its counters were sealed in the
     * Server's database (TS §5.3.3.1, D89).
     */
    @Test
    public void s03_serverCleanRestart_gatewayReconnects_pnesKeepWorking() throws Exception {
        String pn = fleet.establishAll();
        everyPneRelays(pn);
        long establishments = establishments();

        restartServer();
        for (PneClient p : fleet.pnes()) {
            assertTrue(p.id() + " still linked to its PN GW", p.connected());
            p.ping();
        }
        ServerConsole.Group now = console.groupupdate("sg-sf");
        fleet.pnes().forEach(p -> holds(p, "sg-sf", now));
        pnsAgree();
        everyPneRelays(pn);
        assertEquals("PN Establishments on the Server after its restart", establishments, establishments());
    }

    /** An update of server-pn (a new revision of the bundle, its component started anew): relays go on in the same PN. */
    @Test
    public void s03b_serverPnUpdated_relaysKeepWorking_withoutANewEstablishment() throws Exception {
        String pn = fleet.establishAll();
        everyPneRelays(pn);
        long establishments = establishments();

        server.updateBundle("io.cpns.server.pn");
        eventually("server-pn active again", () -> {
            try {
                return server.shell("lb -s io.cpns.server.pn").contains("Active");
            } catch (IOException e) {
                return false;
            }
        }, () -> server.tail());
        everyPneRelays(pn);
        assertEquals("PN Establishments on the Server after the update", establishments, establishments());
    }

    /** Each PNE's request to the Server, end to end under SK_PNE of {@code pn} through the PN GW, answered. */
    static void everyPneRelays(String pn) {
        for (PneClient p : fleet.pnes()) {
            eventually(p.id() + " relays to the Server in " + pn, () -> {
                try {
                    return p.requestServer(pn, new io.cpns.api.message.Ping(new byte[] {7})) instanceof io.cpns.api.message.Pong;
                } catch (io.cpns.api.CpnsException e) {
                    if (e.code() == io.cpns.api.ErrorCode.SESSION_GONE || e.code() == io.cpns.api.ErrorCode.FORBIDDEN) {
                        throw new AssertionError(p.id() + ": " + e.code() + " " + e.getMessage(), e); // the session did not survive
                    }
                    return false; // the PN GW's link to the Server still coming back
                }
            }, () -> server.tail());
        }
        // a new PN would mean the SDK re-established: it did not
        fleet.pnes().forEach(p -> assertTrue(p.id() + " still in " + pn, p.pn(pn).isPresent()));
    }

    /** The Server's lines for completed PN Establishment batches (seed 004 steps 10-12), over every start. */
    static long establishments() {
        return server.log().lines().filter(l -> l.contains("PNEs authenticated")).count();
    }

    static void holds(PneClient p, String groupId, ServerConsole.Group g) {
        eventually(p.id() + " holds " + groupId + " epoch " + g.epoch(), () -> p.groupKey(groupId).map(k -> k.epoch() == g.epoch())
                .orElse(false), () -> String.valueOf(p.groupKey(groupId)));
        assertEquals(g.fingerprint(), Suites.fingerprint(p.groupKey(groupId).orElseThrow().key()));
    }

    // ---- Key Assignment (seed 001 §7.x.2): a PNE without UI, its pre-assigned key set on both sides ----

    static final String[] UI_LESS = {"pne-ka-server", "pne-ka-answered", "pne-ka-triggered"};
    static final Map<String, byte[]> PAKS = new java.util.HashMap<>();
    static final Map<String, EncryptedFileStore> FLASH = new java.util.HashMap<>();

    /** The factory keys of the UI-less PNEs in the PN GW's secret store before its first start (as a vendor provisions them). */
    static void provisionPreAssignedKeys() throws IOException {
        Path ks = gateway.keystoreDir();
        EncryptedFileStore store = new EncryptedFileStore(ks, ks.resolve("master.key"));
        for (String id : UI_LESS) {
            byte[] pak = Randoms.bytes(32);
            PAKS.put(id, pak);
            store.put("pak." + id, pak);
        }
        store.close();
    }

    static PneClient uiLess(String id) throws Exception {
        Path dir = Files.createDirectories(home.resolve("pnes").resolve(id));
        EncryptedFileStore flash = new EncryptedFileStore(dir, dir.resolve("master.key"));
        flash.put(PneClient.PRE_ASSIGNED, PAKS.get(id));
        FLASH.put(id, flash);
        PneClient p = new PneClient(config(id).withUi(false), transport(), flash);
        others.add(p);
        connect(p);
        return p;
    }

    static void connect(PneClient p) {
        eventually(p.id() + " linked with PSK-TLS", () -> {
            try {
                p.connect(EntityId.of(GW));
                p.ping();
                return p.secured();
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, () -> "");
    }

    /** {@code gw:onboard} at the PN GW's console, the user's password typed at its prompt. */
    static String onboard(String pne) throws IOException {
        return gateway.shellWithPassword("gw:onboard " + pne + " " + USER, PASSWORD);
    }

    /** The PNE's EUKey is the Server's, and works: the Server authenticates it in a PN (and so counts it confirmed, D18). */
    static void euKeyWorks(PneClient p) throws Exception {
        assertTrue(p.id() + " holds an EUKey", p.hasEuKey());
        ServerConsole.Entity e = console.entity(USER, p.id().value()).orElseThrow();
        byte[] euk = FLASH.get(p.id().value()).get(PneClient.EUKEY).orElseThrow();
        assertEquals("the PNE's EUKey is the one the Server holds", e.fingerprint(), Suites.fingerprint(euk));
        assertTrue(p.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(60, TimeUnit.SECONDS).serverAuthenticated());
        assertTrue("confirmed by its first use", console.entity(USER, p.id().value()).orElseThrow().confirmed());
    }

    /**
     * The Server killed once it stored the PNE's new EUKey, before its answer left (D18: not yet
     * confirmed). Back up, the assignment simply runs again, and the PNE's key works.
     */
    @Test
    public void s04_keyAssignment_serverKilledAfterAssigning_theAssignmentRunsAgain() throws Exception {
        gateway.shellWithPassword("gw:karegister " + USER + " plan=home", PASSWORD);
        PneClient sensor = uiLess("pne-ka-server");
        restartServer("server.keyassign.assigned");

        long ups = linkUps();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return onboard("pne-ka-server");
            } catch (IOException | RuntimeException e) {
                return e.toString();
            }
        });
        server.awaitFaultPoint("server.keyassign.assigned");
        server.kill9();
        String said = first.get(120, TimeUnit.SECONDS);
        assertFalse(said, said.contains("holds its EUKey"));
        assertFalse(sensor.hasEuKey());
        server.start().awaitReady();
        awaitLinked(ups);

        connect(sensor);
        assertTrue(onboard("pne-ka-server").contains("holds its EUKey"));
        euKeyWorks(sensor);
    }

    /** The PN GW killed with the Server's answer in, before the PNE has it: back up, the assignment runs again. */
    @Test
    public void s05_keyAssignment_gatewayKilledBeforeRelayingTheAnswer_theAssignmentRunsAgain() throws Exception {
        PneClient plug = uiLess("pne-ka-answered");
        restartGateway("keyassign.answered");
        connect(plug);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return onboard("pne-ka-answered");
            } catch (IOException | RuntimeException | AssertionError e) {
                return e.toString();
            }
        });
        gateway.awaitFaultPoint("keyassign.answered");
        killGateway();
        assertFalse(first.get(60, TimeUnit.SECONDS).contains("holds its EUKey"));
        assertFalse(plug.hasEuKey());
        assertTrue("the Server assigned a key, not yet confirmed", console.entity(USER, "pne-ka-answered").map(e -> !e.confirmed())
                .orElse(false));
        startGateway();

        connect(plug);
        assertTrue(onboard("pne-ka-answered").contains("holds its EUKey"));
        euKeyWorks(plug);
    }

    /** The PN GW killed once the PNE answered its trigger (it holds its EUKey): back up, that key works. */
    @Test
    public void s06_keyAssignment_gatewayKilledAfterThePneAnswered_itsEuKeyWorks() throws Exception {
        PneClient meter = uiLess("pne-ka-triggered");
        restartGateway("keyassign.triggered");
        connect(meter);
        CompletableFuture.runAsync(() -> {
            try {
                onboard("pne-ka-triggered");
            } catch (IOException | RuntimeException | AssertionError e) {
                // the PN GW dies under the command
            }
        });
        gateway.awaitFaultPoint("keyassign.triggered");
        killGateway();
        startGateway();
        connect(meter);
        euKeyWorks(meter);
    }

    static void restartGateway(String... faultPoints) throws Exception {
        long ups = linkUps();
        gateway.stop();
        fleet.awaitAllDisconnected();
        gateway.start(faultPoints).awaitReady();
        awaitLinked(ups);
    }

    static void killGateway() throws Exception {
        gateway.kill9();
        fleet.awaitAllDisconnected();
    }

    static void startGateway() throws Exception {
        long ups = linkUps();
        gateway.start().awaitReady();
        awaitLinked(ups);
        assertEquals(Map.of(), fleet.connectAll(5));
    }

    /**
     * {@code gw:expel} while the Server is down, then a power cut of the PN GW too: once both are
     * back, the Server no longer lists the PNE in its PN nor in its Service Group (rekeyed without it).
     * Before, the PN GW never sent the removal again.
     */
    @Test
    public void s07_expelWhileTheServerIsDown_thenAPowerCut_theServerHearsOfItWhenBack() throws Exception {
        String pne = fleet.get(PNES - 1).id().value();
        List<String> pns = new ArrayList<>();
        for (String pn : gatewayPns()) {
            if (gatewayPnMembers(pn).contains(pne)) {
                pns.add(pn);
                assertTrue(console.pnMembers(pn).contains(pne));
            }
        }
        assertFalse(pns.isEmpty());
        ServerConsole.Group before = console.group("sg-sf");
        assertTrue(before.members().contains(pne));

        server.kill9();
        eventually("the PN GW noticed", () -> !gatewayLinked(), gateway::tail);
        assertTrue(gateway.shell("gw:expel " + pne).contains("expelled"));
        killGateway();
        server.start().awaitReady();
        startGatewayWithout(pne);

        for (String pn : pns) {
            eventually(pne + " out of " + pn + " on the Server", () -> !serverPnMembers(pn).contains(pne), server::tail);
        }
        eventually(pne + " out of sg-sf, rekeyed", () -> {
            ServerConsole.Group g = serverGroup("sg-sf");
            return !g.members().contains(pne) && g.epoch() > before.epoch();
        }, server::tail);
        pnsAgree();
    }

    static boolean gatewayLinked() {
        try {
            return gateway.shell("gw:link").contains("AUTHENTICATED");
        } catch (IOException e) {
            return false;
        }
    }

    static void startGatewayWithout(String expelled) throws Exception {
        gateway.start().awaitReady();
        eventually("the PNEs back", () -> fleet.pnes().stream().filter(p -> !p.id().value().equals(expelled))
                .allMatch(p -> {
                    try {
                        p.connect(EntityId.of(GW));
                        return p.secured();
                    } catch (IOException | RuntimeException e) {
                        return false;
                    }
                }), () -> "");
    }

    static List<String> serverPnMembers(String pn) {
        try {
            return console.pnMembers(pn);
        } catch (IOException | RuntimeException e) {
            return List.of("?");
        }
    }

    static ServerConsole.Group serverGroup(String g) {
        try {
            return console.group(g);
        } catch (IOException | RuntimeException e) {
            return new ServerConsole.Group(-1, "", List.of("?"));
        }
    }

    /**
     * {@code server:entityremove} of a PNE in a Service Group: it leaves the group with a new Group
     * Key (TS §5.3.2), which the other members get and it does not. Before, it stayed a member.
     */
    @Test
    public void s08_entityRemove_takesThePneOutOfItsServiceGroups_withANewGroupKey() throws Exception {
        PneClient gone = fleet.get(0);
        ServerConsole.Group before = console.group("sg-sf");
        assertTrue(before.members().contains(gone.id().value()));
        String said = server.shell("server:entityremove " + gone.id().value());
        assertTrue(said, said.contains("removed") && said.contains("sg-sf"));
        ServerConsole.Group now = console.group("sg-sf");
        assertFalse(now.members().contains(gone.id().value()));
        assertEquals(before.epoch() + 1, now.epoch());
        for (PneClient p : fleet.pnes().subList(1, PNES - 1)) {
            holds(p, "sg-sf", now);
        }
        assertTrue(gone.groupKey("sg-sf").map(k -> k.epoch() < now.epoch()).orElse(true));
    }
}
