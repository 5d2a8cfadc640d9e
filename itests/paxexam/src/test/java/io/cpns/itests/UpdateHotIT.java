package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.cpns.api.EntityId;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.health.Health;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.InstalledBundle;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateCancel;
import io.cpns.api.message.UpdateInventory;
import io.cpns.api.message.UpdateInventoryRequest;
import io.cpns.api.message.UpdateOffer;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import io.cpns.pne.PneClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Signed remote updates applied hot in a real Felix with the distribution's bundles (issue 11):
 * the CPNS Server, the PN GW with its update agent, the embedded broker and PNEs linked over TCP,
 * all in this framework; offers sent by the Server over the gateway's session, jars from an HTTPS
 * endpoint with the Server's development certificate. A rebuilt gw-pn goes in with every PNE
 * linked (0 links dropped, COMMITTED); a gw-pn whose DS component can never be satisfied is rolled
 * back; tampered, replayed and known-bad releases are refused; an unacknowledged status is sent
 * again after a reconnect.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpdateHotIT extends PnTestBase {
    static final int PNES = 3;
    static UpdateStatuses server;
    static ArtifactHttps artifacts;
    static final List<PneClient> linked = new ArrayList<>();
    static UpdateOffer rolledBack;

    @Configuration
    public Option[] config() {
        Map<String, Map<String, Object>> c = configs(Map.of());
        c.put("cpns.gw.update", Map.of("trialSeconds", 3, "retryInitialMillis", 50, "retryMaxMillis", 200, "statusRetrySeconds", 1));
        c.put("cpns.gw.broker", Map.of("port", AbstractSliceIT.freePort()));
        return Stream.concat(Arrays.stream(CpnsOptions.boot("update-hot", c, "runtime", "core", "server", "mqtt", "gateway", "pne")),
                Stream.of(frameworkProperty("cpns.update.rootKeys").value(Releases.rootKeysProperty()),
                        org.ops4j.pax.exam.CoreOptions.systemPackage("com.sun.net.httpserver")))
                .toArray(Option[]::new);
    }

    @Before
    public void serverSide() throws Exception {
        if (server == null) {
            server = new UpdateStatuses(ctx);
            artifacts = new ArtifactHttps(Path.of(ctx.getProperty("cpns.data")).resolve("pki"));
        }
    }

    @After
    public void keepPnes() {
        clients.removeAll(linked); // PnTestBase closes its clients after each test; these stay linked across the steps
    }

    private Message offer(Message o) throws Exception {
        return osgi.service(ServerEndpoint.class).request(EntityId.of(GATEWAY), o, Duration.ofSeconds(10)).toCompletableFuture()
                .get();
    }

    private Bundle gwPn() {
        return osgi.bundle("io.cpns.gw.pn");
    }

    private Set<String> links() {
        return osgi.service(PneMessenger.class).links().stream().filter(PneLink::authenticated)
                .map(l -> l.pneId() + "|" + l.remote() + "|" + l.since()).collect(Collectors.toCollection(TreeSet::new));
    }

    private GatewayInventory inventory() throws Exception {
        Message m = osgi.service(ServerEndpoint.class).request(EntityId.of(GATEWAY), new UpdateInventoryRequest(), Duration.ofSeconds(10))
                .toCompletableFuture().get();
        return ((UpdateInventory) m).inventory();
    }

    private static InstalledBundle bundle(GatewayInventory inv, String bsn) {
        return inv.bundles().stream().filter(b -> b.symbolicName().equals(bsn)).findFirst().orElseThrow();
    }

    /** A release of gw-pn at {@code version}, served under release {@code seq}. */
    private BundleEntry gwPnRelease(long seq, String version, boolean unsatisfiable, UpdateClass c) throws Exception {
        byte[] jar = Releases.rebuild(Releases.distJar("gateway", "io.cpns.gw.pn"), version, unsatisfiable);
        String file = "gw-pn-" + version + ".jar";
        artifacts.put(seq, file, jar);
        return Releases.entry("io.cpns.gw.pn", version, jar, c, file);
    }

    @Test
    public void u01_beforeAnyRelease_theInventoryShowsTheDistribution() throws Exception {
        GatewayInventory inv = inventory();
        assertEquals(0, inv.committedSeq());
        assertEquals("ACTIVE", bundle(inv, "io.cpns.gw.pn").state());
        assertEquals(false, bundle(inv, "io.cpns.gw.pn").managed());
        assertTrue(inv.ready());
        assertNull(inv.state());
    }

    @Test
    public void u02_tamperedOrForeignOffers_areRefused_eachWithItsCause() throws Exception {
        BundleEntry e = gwPnRelease(1, "0.1.1", false, UpdateClass.HOT);
        UpdateOffer good = Releases.offer("r-bad-sig", 1, artifacts.base(1), List.of(e));
        byte[] sig = good.manifestSignature().clone();
        sig[5] ^= 1;
        assertTrue(offer(new UpdateOffer("r-bad-sig", good.manifest(), sig, good.releaseKeys(), good.releaseKeysSignature(),
                good.artifactUrl(), null)) instanceof Ack);
        assertEquals(UpdateFailure.BAD_SIGNATURE, server.awaitTerminal("r-bad-sig").failure());
        assertEquals("the sequence the manifest names", 1, server.awaitTerminal("r-bad-sig").releaseSeq());
        assertEquals(UpdateState.REFUSED, server.awaitTerminal("r-bad-sig").state());

        offer(new UpdateOffer("r-garbage", new byte[] {1, 2, 3}, good.manifestSignature(), good.releaseKeys(), good.releaseKeysSignature(),
                good.artifactUrl(), null));
        assertEquals(UpdateFailure.MALFORMED, server.awaitTerminal("r-garbage").failure());

        offer(new UpdateOffer("r-window", good.manifest(), good.manifestSignature(), good.releaseKeys(), good.releaseKeysSignature(),
                good.artifactUrl(), "25:00-26:00"));
        assertEquals(UpdateFailure.MALFORMED, server.awaitTerminal("r-window").failure());
        assertEquals("0.1.0.SNAPSHOT", gwPn().getVersion().toString());
    }

    @Test
    public void u03_aHotUpdateOfGwPn_withEveryPneLinked_dropsNoLink_andCommits() throws Exception {
        for (int i = 0; i < PNES; i++) {
            linked.add(enrolledPne("upd-pne-" + i));
        }
        String pn = linked.get(0).setup(io.cpns.api.message.SetupType.ALL, List.of()).toCompletableFuture()
                .get(60, java.util.concurrent.TimeUnit.SECONDS).pnId();
        for (PneClient p : linked) {
            Osgi.eventually(p.id() + " in " + pn, () -> p.pn(pn).isPresent(), () -> "");
            p.connect(EntityId.of(GATEWAY)); // again, under PSK-TLS with its LocalEUKey: an authenticated link
            assertTrue(p.secured());
        }
        Osgi.eventually(PNES + " authenticated links", () -> links().size() == PNES, () -> links().toString());
        // a PNE may still move to another link once after the establishment (its old link closing): the
        // baseline is the set of links that held for a second
        @SuppressWarnings("unchecked") Set<String>[] settled = new Set[] {links()};
        Osgi.eventually("links settled", () -> {
            Osgi.sleep(1000);
            Set<String> now = links();
            boolean same = now.equals(settled[0]) && now.size() == PNES;
            settled[0] = now;
            return same;
        }, () -> settled[0].toString());
        Set<String> before = settled[0];
        long id = gwPn().getBundleId();

        // the figure of docs/benchmarks.md: a PNE relays pings to the Server through gw-pn all along the swap
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        long[] figures = new long[3]; // requests, failed, longest gap between two answered (ms)
        Thread load = new Thread(() -> {
            long last = System.nanoTime();
            while (!stop.get()) {
                try {
                    linked.get(1).requestServer(pn, new io.cpns.api.message.Ping(new byte[] {1}));
                    long now = System.nanoTime();
                    figures[2] = Math.max(figures[2], (now - last) / 1_000_000);
                    last = now;
                } catch (RuntimeException x) {
                    figures[1]++;
                }
                figures[0]++;
            }
        }, "update-hot-load");
        load.start();
        BundleEntry e = gwPnRelease(1, "0.1.1", false, UpdateClass.HOT);
        assertTrue(offer(Releases.offer("r-1", 1, artifacts.base(1), List.of(e))) instanceof Ack);
        UpdateStatus done = server.awaitTerminal("r-1");
        stop.set(true);
        load.join();
        UpdateStatus accepted = server.of("r-1").get(0);
        System.out.printf("[UpdateHotIT] figure: hot update of gw-pn, offer accepted to COMMITTED %d ms (trialSeconds=3), "
                + "%d relayed requests during it, %d failed, longest gap between two answers %d ms%n", done.at() - accepted.at(),
                figures[0], figures[1], figures[2]);
        assertEquals(String.valueOf(server.of("r-1")), UpdateState.COMMITTED, done.state());
        assertEquals(List.of(UpdateState.ACCEPTED, UpdateState.DOWNLOADING, UpdateState.DOWNLOADED, UpdateState.APPLYING,
                UpdateState.TRIAL, UpdateState.COMMITTED), server.of("r-1").stream().map(UpdateStatus::state).distinct().toList());
        assertTrue(done.detail(), done.detail().contains("0 PNE links dropped"));
        assertEquals("0.1.1", gwPn().getVersion().toString());
        assertEquals(Bundle.ACTIVE, gwPn().getState());
        assertEquals("updated in place", id, gwPn().getBundleId());
        assertEquals("every PNE link kept", before, links());
        for (PneClient p : linked) {
            p.ping(); // and each one still served
        }
        GatewayInventory inv = inventory();
        assertEquals(1, inv.committedSeq());
        assertEquals(true, bundle(inv, "io.cpns.gw.pn").managed());
        assertEquals("0.1.1", bundle(inv, "io.cpns.gw.pn").version());
        Osgi.eventually("an inventory report after the commit", () -> server.inventories.stream().anyMatch(i -> i.committedSeq() == 1),
                () -> "");
    }

    @Test
    public void u04_theSameReleaseAgain_isReplayed() throws Exception {
        BundleEntry e = gwPnRelease(1, "0.1.1", false, UpdateClass.HOT);
        offer(Releases.offer("r-replay", 1, artifacts.base(1), List.of(e)));
        UpdateStatus s = server.awaitTerminal("r-replay");
        assertEquals(UpdateState.REFUSED, s.state());
        assertEquals(UpdateFailure.REPLAYED, s.failure());
    }

    @Test
    public void u05_aJarWithOtherBytes_isHashMismatch_andNothingChanges() throws Exception {
        BundleEntry e = gwPnRelease(2, "0.1.2", false, UpdateClass.HOT);
        byte[] other = artifacts.files.get("2/gw-pn-0.1.2.jar").clone();
        other[other.length / 2] ^= 0x5a;
        artifacts.put(2, "gw-pn-0.1.2.jar", other);
        offer(Releases.offer("r-tampered", 2, artifacts.base(2), List.of(e)));
        UpdateStatus s = server.awaitTerminal("r-tampered");
        assertEquals(UpdateState.FAILED, s.state());
        assertEquals(UpdateFailure.HASH_MISMATCH, s.failure());
        assertEquals("0.1.1", gwPn().getVersion().toString());
    }

    @Test
    public void u06_aBundleWhoseComponentIsNeverSatisfied_isRolledBack_thePreviousSetRuns() throws Exception {
        Set<String> before = links();
        BundleEntry e = gwPnRelease(3, "0.1.3", true, UpdateClass.HOT);
        rolledBack = Releases.offer("r-broken", 3, artifacts.base(3), List.of(e));
        offer(rolledBack);
        UpdateStatus s = server.awaitTerminal("r-broken");
        assertEquals(String.valueOf(server.of("r-broken")), UpdateState.ROLLED_BACK, s.state());
        assertEquals(UpdateFailure.HEALTH_FAILED, s.failure());
        assertTrue(s.detail(), s.detail().contains("cpns.itest.Unsatisfiable"));
        assertEquals("0.1.1", gwPn().getVersion().toString());
        assertEquals(Bundle.ACTIVE, gwPn().getState());
        osgi.awaitReady();
        assertEquals(before, links());
        assertEquals(1, inventory().committedSeq());
        assertTrue(osgi.shell("gw:release").contains("bad releases      3"));
    }

    @Test
    public void u07_aReleaseRolledBackHere_isNotTriedAgain() throws Exception {
        offer(new UpdateOffer("r-again", rolledBack.manifest(), rolledBack.manifestSignature(), rolledBack.releaseKeys(),
                rolledBack.releaseKeysSignature(), rolledBack.artifactUrl(), null));
        UpdateStatus s = server.awaitTerminal("r-again");
        assertEquals(UpdateFailure.KNOWN_BAD, s.failure());
    }

    @Test
    public void u08_aStatusTheServerDidNotTake_isSentAgainAfterAReconnect() throws Exception {
        server.refuse = true;
        BundleEntry e = gwPnRelease(4, "0.1.4", false, UpdateClass.HOT);
        artifacts.files.remove("4/gw-pn-0.1.4.jar"); // 404: FAILED at once
        offer(Releases.offer("r-outbox", 4, artifacts.base(4), List.of(e)));
        Osgi.eventually("the outcome waits in the outbox", () -> {
            try {
                return osgi.shell("gw:releases").contains("r-outbox  release 4  FAILED DOWNLOAD_FAILED  (not yet reported)");
            } catch (Exception x) {
                return false;
            }
        }, () -> "");
        assertTrue(server.of("r-outbox").stream().noneMatch(u -> u.state().terminal()));
        server.refuse = false;
        osgi.service(ServerEndpoint.class).disconnect(EntityId.of(GATEWAY));
        UpdateStatus s = server.awaitTerminal("r-outbox");
        assertEquals(UpdateFailure.DOWNLOAD_FAILED, s.failure());
        Osgi.eventually("acknowledged", () -> {
            try {
                return !osgi.shell("gw:releases").contains("not yet reported");
            } catch (Exception x) {
                return false;
            }
        }, () -> "");
    }

    @Test
    public void u09_anOfferWaitingForItsWindow_isCancelled() throws Exception {
        LocalTime later = LocalTime.now().plusHours(2);
        String window = String.format("%02d:%02d-%02d:%02d", later.getHour(), later.getMinute(), later.plusMinutes(30).getHour(),
                later.plusMinutes(30).getMinute());
        UpdateOffer o = Releases.offer("r-cancel", 5, artifacts.base(5), List.of(gwPnRelease(5, "0.1.5", false, UpdateClass.HOT)));
        offer(new UpdateOffer(o.rolloutId(), o.manifest(), o.manifestSignature(), o.releaseKeys(), o.releaseKeysSignature(),
                o.artifactUrl(), window));
        server.awaitState("r-cancel", UpdateState.DOWNLOADED);
        assertTrue(offer(new UpdateCancel("r-cancel")) instanceof Ack);
        assertEquals(UpdateState.CANCELLED, server.awaitTerminal("r-cancel").state());
        assertEquals("0.1.1", gwPn().getVersion().toString());
    }

    @Test
    public void u10_aRestartClassRelease_isRefused_whereNoLauncherCanRestart() throws Exception {
        offer(Releases.offer("r-restart", 6, artifacts.base(6), List.of(gwPnRelease(6, "0.1.6", false, UpdateClass.RESTART))));
        UpdateStatus s = server.awaitTerminal("r-restart");
        assertEquals(UpdateFailure.INCOMPATIBLE, s.failure());
        assertTrue(osgi.service(Health.class).report().ready());
    }
}
