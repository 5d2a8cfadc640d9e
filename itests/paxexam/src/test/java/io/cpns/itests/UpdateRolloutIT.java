package io.cpns.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.InstalledBundle;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateInventoryReport;
import io.cpns.api.message.UpdateOffer;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateState;
import io.cpns.release.Ed25519;
import io.cpns.release.ReleaseCodec;
import io.cpns.server.update.GatewayProgress;
import io.cpns.server.update.RolloutView;
import io.cpns.server.update.UpdateService;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import javax.inject.Inject;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
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
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Issue 11, the Server's side in the real Server booted with a PN GW in one framework: a release
 * signed with cpns-release is published with {@code server:releasepublish}, a rollout started with
 * {@code server:rolloutstart} offers it over the gateway's authenticated session (seen by a
 * {@link ServerRequestHandler} for {@code update.offer} registered here, in place of the gateway's
 * update agent), the jar is fetched from the HTTPS artifact endpoint on the Servlet Whiteboard
 * (Range included), the statuses the gateway sends are recorded once each, and a gateway that was
 * offline gets its offer when it is back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpdateRolloutIT {
    static final String USER = "olivia";
    static final char[] PASSWORD = "olivia-secret-1".toCharArray();
    static final String GATEWAY = "gw-update-it";

    @Inject
    BundleContext ctx;
    Osgi osgi;

    /** Offers the Server sent to this gateway, in order. */
    static final BlockingQueue<UpdateOffer> OFFERS = new LinkedBlockingQueue<>();
    static ServiceRegistration<ServerRequestHandler> handler;
    static final byte[] ROOT = new byte[32];
    static final byte[] RELEASE = new byte[32];

    @Configuration
    public Option[] config() {
        Map<String, Map<String, Object>> c = new HashMap<>();
        c.put("cpns.server.endpoint", Map.of("port", AbstractSliceIT.freePort(), "handshakeTimeoutMillis", 5000));
        c.put("cpns.server.update", Map.of("tickMillis", 200, "offerRetryMillis", 60000));
        c.put("cpns.gw.identity", Map.of("gatewayId", GATEWAY));
        c.put("cpns.gw.link", Map.of("keepaliveSeconds", 2, "backoffInitialMillis", 100, "backoffMaxMillis", 500, "requestTimeoutMillis", 5000));
        return CpnsOptions.boot("update-rollout", c, "runtime", "core", "server", "gateway");
    }

    @Before
    public void setUp() {
        osgi = new Osgi(ctx);
    }

    @Test
    public void u01_theGatewayIsEnrolledAndAuthenticated_anUpdateOfferHandlerStandsInForTheAgent() throws Exception {
        osgi.awaitReady();
        ServerEndpoint ep = osgi.service(ServerEndpoint.class);
        osgi.configure("cpns.gw.link", Map.of("operatorCaFile", ep.generatedOperatorCa().orElseThrow().toString(), "serverPort",
                ep.listenAddress().getPort()));
        osgi.service(UserRegistry.class).register(UserId.of(USER), PASSWORD.clone());
        osgi.service(GatewayEnrolment.class).assignEuKey(USER, PASSWORD.clone());
        osgi.awaitLink(LinkState.AUTHENTICATED);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ServerRequestHandler.TYPE, "update.offer");
        handler = ctx.registerService(ServerRequestHandler.class, new ServerRequestHandler() {
            @Override
            public CompletionStage<Message> handle(Message request) {
                OFFERS.add((UpdateOffer) request);
                return CompletableFuture.completedFuture(new Ack());
            }
        }, props);
        SecureRandom r = new SecureRandom();
        r.nextBytes(ROOT);
        r.nextBytes(RELEASE);
    }

    @Test
    public void u02_aSignedReleaseIsPublished() throws Exception {
        Path dir = release(7, "gw-pn-it");
        String out = osgi.shell("server:releasepublish " + dir);
        assertTrue(out, out.contains("release 7 (it-7) published: 1 bundle(s)"));
        assertTrue(osgi.shell("server:releases").contains("gw-pn-it 1.0.7 (HOT, level 2) gw-pn-it-1.0.7.jar"));
        Path tampered = release(8, "gw-pn-it");
        byte[] jar = Files.readAllBytes(tampered.resolve("gw-pn-it-1.0.8.jar"));
        jar[jar.length - 40] ^= 1;
        Files.write(tampered.resolve("gw-pn-it-1.0.8.jar"), jar);
        String refused = osgi.shell("server:releasepublish " + tampered);
        assertTrue(refused, refused.startsWith("error: INVALID_ARGUMENT: release not published: gw-pn-it-1.0.8.jar: HASH_MISMATCH"));
    }

    @Test
    public void u03_aRollout_offersTheSignedBytesOverTheSession_theJarComesFromTheArtifactEndpoint_statusesAreRecorded() throws Exception {
        String out = osgi.shell("server:rolloutstart --id r-it --waves '100%' --soak 0s --deadline 1h --window 02:00-04:00 7");
        assertTrue(out, out.contains("rollout r-it of release 7: RUNNING"));
        UpdateOffer o = OFFERS.poll(20, TimeUnit.SECONDS);
        assertNotNull("no update.offer reached the gateway", o);
        assertEquals("r-it", o.rolloutId());
        assertEquals("02:00-04:00", o.window());
        Path published = Path.of(ctx.getProperty("cpns.data")).resolve("releases").resolve("7");
        assertArrayEquals(Files.readAllBytes(published.resolve("manifest.cbor")), o.manifest());
        assertArrayEquals(Files.readAllBytes(published.resolve("keys.sig")), o.releaseKeysSignature());
        ReleaseManifest m = ReleaseCodec.decodeManifest(o.manifest());
        BundleEntry e = m.bundles().get(0);
        assertTrue(o.artifactUrl(), o.artifactUrl().matches("https://localhost:\\d+/cpns/releases/7/"));

        // the gateway downloads over HTTPS, trusting the operator CA it already has; a cut download resumes
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(osgi.service(ServerEndpoint.class).generatedOperatorCa().orElseThrow()))
                .build();
        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(URI.create(o.artifactUrl() + e.file())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertArrayEquals(e.sha256(), MessageDigest.getInstance("SHA-256").digest(whole.body()));
        HttpResponse<byte[]> rest = http.send(HttpRequest.newBuilder(URI.create(o.artifactUrl() + e.file())).header("Range", "bytes=100-")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, rest.statusCode());
        assertEquals("bytes 100-" + (e.size() - 1) + "/" + e.size(), rest.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(whole.body(), 100, whole.body().length), rest.body());
        assertEquals(416, http.send(HttpRequest.newBuilder(URI.create(o.artifactUrl() + e.file())).header("Range", "bytes=" + e.size() + "-")
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(o.artifactUrl() + "manifest.cbor")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());

        long t = System.currentTimeMillis();
        for (UpdateState s : List.of(UpdateState.ACCEPTED, UpdateState.DOWNLOADING, UpdateState.DOWNLOADED, UpdateState.APPLYING,
                UpdateState.TRIAL, UpdateState.COMMITTED, UpdateState.COMMITTED)) {
            assertTrue(osgi.call(new UpdateStatus("r-it", 7, s, null, null, t++)) instanceof Ack);
        }
        UpdateService updates = osgi.service(UpdateService.class);
        Osgi.eventually("rollout r-it completed", () -> updates.rollout("r-it").orElseThrow().state().equals("COMPLETED"),
                () -> String.valueOf(updates.rollout("r-it")));
        RolloutView v = updates.rollout("r-it").orElseThrow();
        assertEquals(1, (int) v.byPhase().get("COMMITTED"));
        assertNotNull(v.medianInstall());
        GatewayProgress p = updates.progress("r-it", EntityId.of(GATEWAY)).orElseThrow();
        assertEquals(List.of("ACCEPTED", "DOWNLOADING", "DOWNLOADED", "APPLYING", "TRIAL", "COMMITTED"),
                p.history().stream().map(GatewayProgress.Step::state).toList());
        String shown = osgi.shell("server:rollout r-it");
        assertTrue(shown, shown.contains("COMPLETED") && shown.contains("COMMITTED=1") && shown.contains("median install time"));
    }

    @Test
    public void u04_aGatewayThatWasOffline_getsTheOfferWhenItIsBack() throws Exception {
        assertTrue(osgi.shell("server:releasepublish " + release(9, "gw-pn-it")).contains("published"));
        Bundle link = osgi.bundle("gw-link");
        link.stop();
        ServerEndpoint ep = osgi.service(ServerEndpoint.class);
        Osgi.eventually("the gateway's session gone", () -> ep.sessions().stream().noneMatch(s -> s.entityId().equals(GATEWAY)), () -> "");
        String out = osgi.shell("server:rolloutstart --id r-offline --waves '100%' --soak 0s --deadline 1h 9");
        assertTrue(out, out.contains("DUE=1"));
        assertEquals(null, OFFERS.poll(1, TimeUnit.SECONDS));
        link.start();
        UpdateOffer o = OFFERS.poll(20, TimeUnit.SECONDS);
        assertNotNull("no offer after the gateway came back", o);
        assertEquals("r-offline", o.rolloutId());
        UpdateService updates = osgi.service(UpdateService.class);
        Osgi.eventually("offer acknowledged", () -> updates.rollout("r-offline").orElseThrow().byPhase().get("OFFERED") == 1,
                () -> String.valueOf(updates.rollout("r-offline")));
    }

    @Test
    public void u05_cancel_sendsUpdateCancel_andTheInventoryReportIsStored() throws Exception {
        BlockingQueue<Message> cancels = new LinkedBlockingQueue<>();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ServerRequestHandler.TYPE, "update.cancel");
        ServiceRegistration<ServerRequestHandler> reg = ctx.registerService(ServerRequestHandler.class, m -> {
            cancels.add(m);
            return CompletableFuture.completedFuture(new Ack());
        }, props);
        try {
            osgi.awaitLink(LinkState.AUTHENTICATED);
            String out = osgi.shell("server:rolloutcancel r-offline");
            assertTrue(out, out.contains("CANCELLED"));
            assertNotNull("no update.cancel reached the gateway", cancels.poll(20, TimeUnit.SECONDS));
        } finally {
            reg.unregister();
        }
        assertTrue(osgi.call(new UpdateStatus("r-offline", 9, UpdateState.CANCELLED, null, null, System.currentTimeMillis())) instanceof Ack);
        assertTrue(osgi.call(new UpdateInventoryReport(new GatewayInventory(7, List.of(new InstalledBundle("gw-pn-it", "1.0.7", "ACTIVE", 2,
                true)), true, null, null))) instanceof Ack);
        String inv = osgi.shell("server:inventory " + GATEWAY);
        assertTrue(inv, inv.contains("committed release 7") && inv.contains("gw-pn-it") && inv.contains("release"));
        handler.unregister();
    }

    // ---- a release as bin/cpns-release writes it ----

    private Path release(long seq, String symbolicName) throws Exception {
        Path dir = Path.of(ctx.getProperty("cpns.data")).resolve("out-" + seq);
        Files.createDirectories(dir);
        String file = symbolicName + "-1.0." + seq + ".jar";
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0." + seq);
        try (OutputStream os = Files.newOutputStream(dir.resolve(file)); JarOutputStream j = new JarOutputStream(os, mf)) {
            j.putNextEntry(new java.util.zip.ZipEntry("filler.bin"));
            byte[] filler = new byte[5000];
            new SecureRandom().nextBytes(filler);
            j.write(filler);
            j.closeEntry();
        }
        byte[] jar = Files.readAllBytes(dir.resolve(file));
        byte[] releasePublic = new Ed25519PrivateKeyParameters(RELEASE).generatePublicKey().getEncoded();
        String kid = Ed25519.keyId(releasePublic);
        long expires = Instant.now().plus(Duration.ofDays(30)).getEpochSecond();
        byte[] keys = ReleaseCodec.encode(new ReleaseKeys(1, 1, List.of(new ReleaseKey(kid, releasePublic, expires))));
        byte[] manifest = ReleaseCodec.encode(new ReleaseManifest(1, seq, "it-" + seq, "cpns", "gateway", expires, kid, List.of(
                new BundleEntry(symbolicName, "1.0." + seq, jar.length, MessageDigest.getInstance("SHA-256").digest(jar), 2, UpdateClass.HOT,
                        file))));
        Files.write(dir.resolve("keys.cbor"), keys);
        Files.write(dir.resolve("keys.sig"), Ed25519.sign(ROOT, keys));
        Files.write(dir.resolve("manifest.cbor"), manifest);
        Files.write(dir.resolve("manifest.sig"), Ed25519.sign(RELEASE, manifest));
        return dir;
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
}
