package io.cpns.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.cpns.api.EntityId;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.UpdateClass;
import io.cpns.pne.PneClient;
import io.cpns.server.store.UpdateStore;
import io.cpns.server.update.GatewayProgress;
import io.cpns.server.update.RolloutView;
import io.cpns.server.update.UpdateService;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.After;
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
import org.osgi.framework.ServiceReference;

/**
 * Issue 11 end to end, every part real, in one framework: the CPNS Server (server-update: releases,
 * rollouts, offers over the session, its HTTPS artifact endpoint on Felix HTTP Jetty) and a PN GW
 * with its update agent (gw-update), which pins the tests' root key in its launcher configuration
 * ({@code cpns.update.rootKeys}), with PNEs linked over TCP in a PN. A release signed with
 * cpns-release is published with {@code server:releasepublish}, rolled out with
 * {@code server:rolloutstart}; the agent checks it, downloads the jar from the Server's endpoint
 * (HTTPS, the operator CA), swaps gw-pn while the PNEs keep sending requests through it, and the
 * Server records ACCEPTED … COMMITTED, its figures and the new inventory. A release certified by
 * another root is REFUSED BAD_SIGNATURE, one whose bundle fails its trial is ROLLED_BACK
 * HEALTH_FAILED with the previous set running, a rollout cancelled before the maintenance window
 * is CANCELLED, and an offline gateway is offered at its reconnect and commits.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpdateRolloutIT extends PnTestBase {
    static final int PNES = 3;
    static final List<PneClient> linked = new ArrayList<>();
    static String pnId;

    @Configuration
    public Option[] config() {
        Map<String, Map<String, Object>> c = configs(Map.of());
        c.put("cpns.server.update", Map.of("tickMillis", 200, "offerRetryMillis", 1000));
        c.put("cpns.gw.update", Map.of("trialSeconds", 2, "retryInitialMillis", 50, "retryMaxMillis", 200, "statusRetrySeconds", 1));
        c.put("cpns.gw.broker", Map.of("port", AbstractSliceIT.freePort()));
        return Stream.concat(Arrays.stream(CpnsOptions.boot("update-rollout", c, "runtime", "core", "server", "mqtt", "gateway", "pne")),
                Stream.of(frameworkProperty("cpns.update.rootKeys").value(Releases.rootKeysProperty()))).toArray(Option[]::new);
    }

    @After
    public void keepPnes() {
        clients.removeAll(linked); // PnTestBase closes its clients after each test; these stay linked across the steps
    }

    // ---- steps ----

    @Test
    public void u01_beforeAnyRelease_theServerSeesTheDistributionInTheInventory() throws Exception {
        String inv = osgi.shell("server:inventory " + GATEWAY);
        assertTrue(inv, inv.contains("committed release 0"));
        assertTrue(inv, inv.matches("(?s).*io\\.cpns\\.gw\\.pn +0\\.1\\.0\\.SNAPSHOT +ACTIVE +\\d+ +distribution.*"));
        UpdateStore.InventoryRow row = updates().inventory(EntityId.of(GATEWAY)).orElseThrow();
        assertEquals(false, bundle(row, "io.cpns.gw.pn").managed());
    }

    @Test
    public void u02_aSignedReleaseIsPublished_aTamperedOneIsNot() throws Exception {
        String out = osgi.shell("server:releasepublish " + release(7, "0.1.7", false, Releases.ROOT_SEED));
        assertTrue(out, out.contains("release 7 (itest-7) published: 1 bundle(s)"));
        assertTrue(osgi.shell("server:releases").contains("io.cpns.gw.pn 0.1.7 (HOT, level 2) gw-pn-0.1.7.jar"));
        Path tampered = release(70, "0.1.70", false, Releases.ROOT_SEED);
        byte[] jar = Files.readAllBytes(tampered.resolve("gw-pn-0.1.70.jar"));
        jar[jar.length - 40] ^= 1;
        Files.write(tampered.resolve("gw-pn-0.1.70.jar"), jar);
        String refused = osgi.shell("server:releasepublish " + tampered);
        assertTrue(refused, refused.startsWith("error: INVALID_ARGUMENT: release not published: gw-pn-0.1.70.jar: HASH_MISMATCH"));
    }

    @Test
    public void u03_aRollout_isInstalledHot_withEveryPneLinkedAndSending_andCommitted_theServerRecordsItAll() throws Exception {
        for (int i = 0; i < PNES; i++) {
            linked.add(enrolledPne("roll-pne-" + i));
        }
        pnId = linked.get(0).setup(SetupType.ALL, List.of()).toCompletableFuture().get(60, TimeUnit.SECONDS).pnId();
        java.time.Instant reconnecting = java.time.Instant.now();
        for (PneClient p : linked) {
            Osgi.eventually(p.id() + " in " + pnId, () -> p.pn(pnId).isPresent(), () -> "");
            p.connect(EntityId.of(GATEWAY)); // again, under PSK-TLS with its LocalEUKey: an authenticated link
        }
        // the new links, each registered by the PN GW a moment after the PNE's connect returns (its old link may be there until then)
        Osgi.eventually(PNES + " new authenticated links", () -> links().size() == PNES && osgi.service(PneMessenger.class).links().stream()
                .filter(PneLink::authenticated).allMatch(l -> l.since().isAfter(reconnecting)), () -> links().toString());
        Set<String> before = links();
        long id = gwPn().getBundleId();

        try (Traffic t = new Traffic(linked, pnId)) {
            String out = osgi.shell("server:rolloutstart --id r-7 --waves '100%' --soak 0s --deadline 1h 7");
            assertTrue(out, out.contains("rollout r-7 of release 7: RUNNING"));
            GatewayProgress p = awaitFinal("r-7");
            assertEquals(String.valueOf(p), "COMMITTED", p.phase());
            t.stop();
            assertEquals("PNE requests that failed during the rollout: " + t.errors, 0, t.failed.get());
            assertTrue("the PNEs kept sending through the swap: " + t.answered.get(), t.answered.get() > PNES);
            System.out.printf("rollout r-7: %d PNE requests answered, %d failed, longest wait for an answer %d ms%n", t.answered.get(),
                    t.failed.get(), t.longestMillis.get());
            assertEquals(List.of("ACCEPTED", "DOWNLOADING", "DOWNLOADED", "APPLYING", "TRIAL", "COMMITTED"), states(p));
            String committed = p.history().get(5).detail();
            assertTrue(committed, committed.contains("0 PNE links dropped"));
            assertTrue(p.history().get(3).detail(), p.history().get(3).detail().contains("hot: io.cpns.gw.pn 0.1.7"));
        }
        assertEquals("0.1.7", gwPn().getVersion().toString());
        assertEquals(Bundle.ACTIVE, gwPn().getState());
        assertEquals("updated in place", id, gwPn().getBundleId());
        assertEquals("every PNE link kept", before, links());

        RolloutView v = updates().rollout("r-7").orElseThrow();
        Osgi.eventually("rollout r-7 completed", () -> updates().rollout("r-7").orElseThrow().state().equals("COMPLETED"),
                () -> String.valueOf(updates().rollout("r-7")));
        v = updates().rollout("r-7").orElseThrow();
        assertEquals(Integer.valueOf(1), v.byPhase().get("COMMITTED"));
        assertNotNull(v.medianInstall());
        String shown = osgi.shell("server:rollout r-7");
        assertTrue(shown, shown.contains("COMPLETED") && shown.contains("COMMITTED=1") && shown.contains("median install time"));

        // the inventory the gateway reported by itself after the commit
        Osgi.eventually("the Server stores the inventory of release 7", () -> updates().inventory(EntityId.of(GATEWAY))
                .map(r -> r.committedSeq() == 7 && bundle(r, "io.cpns.gw.pn").version().equals("0.1.7") && bundle(r, "io.cpns.gw.pn").managed())
                .orElse(false), () -> String.valueOf(updates().inventory(EntityId.of(GATEWAY))));
        String inv = osgi.shell("server:inventory " + GATEWAY);
        assertTrue(inv, inv.contains("committed release 7") && inv.matches("(?s).*io\\.cpns\\.gw\\.pn +0\\.1\\.7 +ACTIVE +\\d+ +release.*"));
    }

    @Test
    public void u04_theArtifactEndpoint_servesRanges_andOnlyWhatAManifestLists() throws Exception {
        String base = artifactBase();
        assertTrue(base, base.matches("https://localhost:\\d+/cpns/releases/"));
        BundleEntry e = Releases.entry("io.cpns.gw.pn", "0.1.7", Files.readAllBytes(published(7).resolve("gw-pn-0.1.7.jar")), UpdateClass.HOT,
                "gw-pn-0.1.7.jar");
        String url = base + "7/" + e.file();
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(osgi.service(ServerEndpoint.class).generatedOperatorCa().orElseThrow()))
                .build();
        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertArrayEquals(e.sha256(), MessageDigest.getInstance("SHA-256").digest(whole.body()));
        HttpResponse<byte[]> rest = http.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=100-").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, rest.statusCode());
        assertEquals("bytes 100-" + (e.size() - 1) + "/" + e.size(), rest.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(whole.body(), 100, whole.body().length), rest.body());
        assertEquals(416, http.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=" + e.size() + "-").build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "7/manifest.cbor")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "70/gw-pn-0.1.70.jar")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    public void u05_aReleaseCertifiedByAnotherRoot_isRefusedBadSignature_onTheServer() throws Exception {
        // the Server has no root keys configured: it publishes what verifies with its own keys document; the gateway decides
        assertTrue(osgi.shell("server:releasepublish " + release(8, "0.1.8", false, Releases.OTHER_ROOT_SEED)).contains("published"));
        osgi.shell("server:rolloutstart --id r-8 --waves '100%' --soak 0s --deadline 1h 8");
        GatewayProgress p = awaitFinal("r-8");
        assertEquals(String.valueOf(p), "REFUSED", p.phase());
        GatewayProgress.Step refused = p.history().get(p.history().size() - 1);
        assertEquals("BAD_SIGNATURE", refused.failure());
        assertEquals(List.of("REFUSED"), states(p)); // nothing downloaded, nothing touched
        assertEquals("0.1.7", gwPn().getVersion().toString());
        String gw = osgi.shell("server:rolloutgw r-8 " + GATEWAY);
        assertTrue(gw, gw.contains("REFUSED") && gw.contains("BAD_SIGNATURE"));
    }

    @Test
    public void u06_aReleaseWhoseBundleFailsItsTrial_isRolledBack_thePreviousSetRuns_andTheServerKnows() throws Exception {
        Set<String> before = links();
        assertTrue(osgi.shell("server:releasepublish " + release(9, "0.1.9", true, Releases.ROOT_SEED)).contains("published"));
        osgi.shell("server:rolloutstart --id r-9 --waves '100%' --soak 0s --deadline 1h 9");
        GatewayProgress p = awaitFinal("r-9");
        assertEquals(String.valueOf(p), "ROLLED_BACK", p.phase());
        GatewayProgress.Step last = p.history().get(p.history().size() - 1);
        assertEquals("HEALTH_FAILED", last.failure());
        assertTrue(last.detail(), last.detail().contains("cpns.itest.Unsatisfiable"));
        assertEquals(List.of("ACCEPTED", "DOWNLOADING", "DOWNLOADED", "APPLYING", "TRIAL", "ROLLED_BACK"), states(p));
        assertEquals("0.1.7", gwPn().getVersion().toString());
        assertEquals(Bundle.ACTIVE, gwPn().getState());
        osgi.awaitReady();
        assertEquals(before, links());
        for (PneClient c : linked) {
            assertTrue(c.requestServer(pnId, new Ping(new byte[] {9})) instanceof Pong); // served by the previous gw-pn
        }
        assertEquals(7, updates().requestInventory(EntityId.of(GATEWAY)).toCompletableFuture().get(10, TimeUnit.SECONDS).committedSeq());
        assertTrue(osgi.shell("server:rollout r-9").contains("ROLLED_BACK=1"));
    }

    @Test
    public void u07_aRolloutCancelledBeforeItsMaintenanceWindow_isCancelledOnTheGateway() throws Exception {
        LocalTime later = LocalTime.now().plusHours(2);
        String window = String.format("%02d:%02d-%02d:%02d", later.getHour(), later.getMinute(), later.plusMinutes(30).getHour(),
                later.plusMinutes(30).getMinute());
        assertTrue(osgi.shell("server:releasepublish " + release(10, "0.1.10", false, Releases.ROOT_SEED)).contains("published"));
        osgi.shell("server:rolloutstart --id r-10 --waves '100%' --soak 0s --deadline 1h --window " + window + " 10");
        Osgi.eventually("downloaded, waiting for the window", () -> phase("r-10").equals("DOWNLOADED"), () -> phase("r-10"));
        String out = osgi.shell("server:rolloutcancel r-10");
        assertTrue(out, out.contains("CANCELLED"));
        GatewayProgress p = awaitFinal("r-10");
        assertEquals(String.valueOf(p), "CANCELLED", p.phase());
        assertEquals(List.of("ACCEPTED", "DOWNLOADING", "DOWNLOADED", "CANCELLED"), states(p));
        assertEquals("0.1.7", gwPn().getVersion().toString());
    }

    @Test
    public void u08_aGatewayThatWasOffline_isOfferedWhenItIsBack_andCommits() throws Exception {
        assertTrue(osgi.shell("server:releasepublish " + release(11, "0.1.11", false, Releases.ROOT_SEED)).contains("published"));
        Bundle link = osgi.bundle("io.cpns.gw.link");
        link.stop();
        ServerEndpoint ep = osgi.service(ServerEndpoint.class);
        Osgi.eventually("the gateway's session gone", () -> ep.sessions().stream().noneMatch(s -> s.entityId().equals(GATEWAY)), () -> "");
        String out = osgi.shell("server:rolloutstart --id r-11 --waves '100%' --soak 0s --deadline 1h 11");
        assertTrue(out, out.contains("DUE=1"));
        Osgi.sleep(500);
        assertEquals("DUE", phase("r-11"));
        link.start();
        osgi.awaitLink(LinkState.AUTHENTICATED);
        GatewayProgress p = awaitFinal("r-11");
        assertEquals(String.valueOf(p), "COMMITTED", p.phase());
        assertEquals("0.1.11", gwPn().getVersion().toString());
        Osgi.eventually("the Server stores the inventory of release 11", () -> updates().inventory(EntityId.of(GATEWAY))
                .map(r -> r.committedSeq() == 11).orElse(false), () -> String.valueOf(updates().inventory(EntityId.of(GATEWAY))));
    }

    /**
     * Two rollouts for one gateway at once: the second finds the gateway busy with the first (its
     * release downloaded, waiting for its window). That is not the second's outcome: the Server
     * offers it again, and once the first is cancelled the gateway takes it and commits. (Before,
     * the gateway answered REFUSED BUSY, a final state on both sides: the Server never offered it
     * again and the gateway would have answered a new offer of that rollout with the same refusal.)
     */
    @Test
    public void u09_aGatewayBusyWithAnotherRollout_isOfferedAgainLater_andCommits() throws Exception {
        LocalTime later = LocalTime.now().plusHours(2);
        String window = String.format("%02d:%02d-%02d:%02d", later.getHour(), later.getMinute(), later.plusMinutes(30).getHour(),
                later.plusMinutes(30).getMinute());
        assertTrue(osgi.shell("server:releasepublish " + release(12, "0.1.12", false, Releases.ROOT_SEED)).contains("published"));
        assertTrue(osgi.shell("server:releasepublish " + release(13, "0.1.13", false, Releases.ROOT_SEED)).contains("published"));
        osgi.shell("server:rolloutstart --id r-12 --waves '100%' --soak 0s --deadline 1h --window " + window + " 12");
        Osgi.eventually("r-12 downloaded, waiting for its window", () -> phase("r-12").equals("DOWNLOADED"), () -> phase("r-12"));
        osgi.shell("server:rolloutstart --id r-13 --waves '100%' --soak 0s --deadline 1h 13");
        Osgi.sleep(3000); // offered, and offered again after offerRetryMillis (1 s), while r-12 waits
        assertTrue("r-13 while the gateway is busy with r-12: " + phase("r-13"), Set.of("DUE", "OFFERED").contains(phase("r-13")));
        osgi.shell("server:rolloutcancel r-12");
        assertEquals("CANCELLED", awaitFinal("r-12").phase());
        GatewayProgress p = awaitFinal("r-13");
        assertEquals(String.valueOf(p), "COMMITTED", p.phase());
        assertEquals("0.1.13", gwPn().getVersion().toString());
    }

    // ---- helpers ----

    private UpdateService updates() {
        return osgi.service(UpdateService.class);
    }

    private String phase(String rollout) {
        return updates().progress(rollout, EntityId.of(GATEWAY)).map(GatewayProgress::phase).orElse("none");
    }

    private GatewayProgress awaitFinal(String rollout) {
        Set<String> finals = Set.of("COMMITTED", "ROLLED_BACK", "REFUSED", "FAILED", "CANCELLED", "TIMED_OUT");
        Osgi.eventually("a final state of " + GATEWAY + " in " + rollout, () -> finals.contains(phase(rollout)),
                () -> String.valueOf(updates().progress(rollout, EntityId.of(GATEWAY))), UpdateStatuses.LONG);
        return updates().progress(rollout, EntityId.of(GATEWAY)).orElseThrow();
    }

    private static List<String> states(GatewayProgress p) {
        return p.history().stream().map(GatewayProgress.Step::state).toList();
    }

    private static UpdateStore.InventoryBundle bundle(UpdateStore.InventoryRow row, String bsn) {
        return row.bundles().stream().filter(b -> b.symbolicName().equals(bsn)).findFirst().orElseThrow();
    }

    private Bundle gwPn() {
        return osgi.bundle("io.cpns.gw.pn");
    }

    private Set<String> links() {
        return osgi.service(PneMessenger.class).links().stream().filter(PneLink::authenticated)
                .map(l -> l.pneId() + "|" + l.remote() + "|" + l.since()).collect(Collectors.toCollection(TreeSet::new));
    }

    private Path published(long seq) {
        return Path.of(ctx.getProperty("cpns.data")).resolve("releases").resolve(String.valueOf(seq));
    }

    /** A release of gw-pn at {@code version} (rebuilt from the distribution's jar), signed, in a directory to publish. */
    private Path release(long seq, String version, boolean unsatisfiable, byte[] rootSeed) throws Exception {
        byte[] jar = Releases.rebuild(Releases.distJar("gateway", "io.cpns.gw.pn"), version, unsatisfiable);
        BundleEntry e = Releases.entry("io.cpns.gw.pn", version, jar, UpdateClass.HOT, "gw-pn-" + version + ".jar");
        return Releases.directory(Path.of(ctx.getProperty("cpns.data")).resolve("out-" + seq), seq, rootSeed, Map.of(e, jar));
    }

    /** The artifact endpoint's base URL, read from its Servlet Whiteboard runtime as the Server does. */
    private String artifactBase() throws Exception {
        ServiceReference<?>[] refs = ctx.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime", "(cpns.artifacts=true)");
        assertNotNull("no artifact endpoint runtime", refs);
        Object ep = refs[0].getProperty("osgi.http.endpoint");
        for (String u : ep instanceof String[] a ? a : ep instanceof java.util.Collection<?> c ? c.stream().map(String::valueOf)
                .toArray(String[]::new) : new String[] {String.valueOf(ep)}) {
            URI uri = URI.create(u);
            if ("https".equals(uri.getScheme())) {
                return "https://localhost:" + uri.getPort() + "/cpns/releases/";
            }
        }
        throw new AssertionError("no https endpoint in " + ep);
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ts.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    /**
     * PNEs sending requests through the PN GW without pause, each one end to end to the Server
     * through gw-pn (a relayed ping, routed by PN ID): counts what is answered and what fails.
     */
    static final class Traffic implements AutoCloseable {
        final AtomicLong answered = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong longestMillis = new AtomicLong();
        final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Traffic(List<PneClient> pnes, String pnId) {
            for (PneClient p : pnes) {
                Thread t = new Thread(() -> {
                    byte[] b = new byte[8];
                    while (running.get()) {
                        long t0 = System.nanoTime();
                        try {
                            if (p.requestServer(pnId, new Ping(b)) instanceof Pong) {
                                answered.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                            if (errors.size() < 10) {
                                errors.add(p.id() + ": " + e);
                            }
                        }
                        longestMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    }
                }, "traffic-" + p.id());
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
