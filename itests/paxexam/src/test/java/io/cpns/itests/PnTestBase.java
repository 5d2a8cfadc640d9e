package io.cpns.itests;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneConfig;
import io.cpns.pne.PneTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A CPNS Server and a PN GW (with pan-ip on loopback) in one framework, the gateway enrolled, and
 * real PNEs (the PNE SDK) connecting over TCP. Subclasses hold the flows.
 */
public abstract class PnTestBase {
    static final String USER = "alice";
    static final String PASSWORD = "alice-secret-1";
    static final String GATEWAY = "gw-home";

    @Inject
    BundleContext ctx;
    Osgi osgi;
    final List<PneClient> clients = new ArrayList<>();

    static Map<String, Map<String, Object>> configs(Map<String, Object> gwPn) {
        Map<String, Map<String, Object>> c = new HashMap<>();
        c.put("cpns.server.endpoint", Map.of("port", AbstractSliceIT.freePort()));
        c.put("cpns.server.users", Map.of("argon2MemoryKiB", 4096, "argon2Iterations", 1));
        c.put("cpns.gw.identity", Map.of("gatewayId", GATEWAY));
        c.put("cpns.gw.link", Map.of("keepaliveSeconds", 5, "backoffInitialMillis", 100, "backoffMaxMillis", 500));
        c.put("cpns.pan.ip", Map.of("port", AbstractSliceIT.freePort(), "discoveryPort", AbstractSliceIT.freePort(), "discoveryInterface", "lo",
                "announceSeconds", 0));
        if (!gwPn.isEmpty()) {
            c.put("cpns.gw.pn", gwPn);
        }
        return c;
    }

    @Before
    public void gatewayEnrolled() throws Exception {
        osgi = new Osgi(ctx);
        osgi.awaitReady();
        if (osgi.service(GatewayEnrolment.class).hasEuKey()) {
            return;
        }
        ServerEndpoint ep = osgi.service(ServerEndpoint.class);
        int port = ep.listenAddress().getPort();
        osgi.configure("cpns.gw.link", Map.of("serverPort", port,
                "operatorCaFile", ep.generatedOperatorCa().orElseThrow().toString()));
        Osgi.eventually("link reconfigured", () -> osgi.service(ServerLink.class).serverAddress().getPort() == port, () -> "");
        osgi.service(UserRegistry.class).register(UserId.of(USER), PASSWORD.toCharArray());
        osgi.service(GatewayEnrolment.class).assignEuKey(USER, PASSWORD.toCharArray());
        osgi.awaitLink(LinkState.AUTHENTICATED);
    }

    @After
    public void closeClients() {
        clients.forEach(PneClient::close);
        clients.clear();
    }

    PneConfig config(String id) {
        return PneConfig.of(id).withServer("cpns-server", osgi.service(ServerEndpoint.class).generatedOperatorCa().orElseThrow(),
                "localhost").withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    PneTransport ip() {
        return new IpTransport("127.0.0.1", panPort(), false);
    }

    /** The ports are chosen in the driver JVM (this class is loaded again in the probe), so read them back. */
    int panPort() {
        return panConfig("port");
    }

    int discoveryPort() {
        return panConfig("discoveryPort");
    }

    private int panConfig(String key) {
        try {
            return Integer.parseInt(String.valueOf(osgi.service(ConfigurationAdmin.class).getConfiguration("cpns.pan.ip", "?").getProperties().get(key)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A PNE whose keys persist in its own directory (so a "restarted" PNE finds them). */
    PneClient pne(PneConfig config, PneTransport transport) throws Exception {
        return pne(config, transport, store(config.id().value()));
    }

    PneClient pne(PneConfig config, PneTransport transport, EncryptedFileStore keys) {
        PneClient c = new PneClient(config, transport, keys);
        clients.add(c);
        return c;
    }

    /** The key store of a PNE (its "flash"); {@code variant} gives an impostor its own. */
    EncryptedFileStore store(String pneId) throws java.io.IOException {
        Path dir = Path.of(ctx.getProperty("cpns.data")).resolve("pne").resolve(pneId);
        Files.createDirectories(dir);
        return new EncryptedFileStore(dir, dir.resolve("master.key"));
    }

    /** Waits until the PNE holds the group's key of that epoch, and checks it is the Server's (by fingerprint). */
    static void holds(PneClient pne, io.cpns.api.server.ServiceGroup g) {
        Osgi.eventually(pne.id() + " holds " + g.groupId() + " epoch " + g.epoch(),
                () -> pne.groupKey(g.groupId()).map(k -> k.epoch() == g.epoch()).orElse(false), () -> String.valueOf(pne.groupKey(g.groupId())));
        org.junit.Assert.assertEquals(g.keyFingerprint(), io.cpns.crypto.Suites.fingerprint(pne.groupKey(g.groupId()).orElseThrow().key()));
    }

    static CpnsException expect(ThrowingRunnable r) {
        try {
            r.run();
        } catch (CpnsException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a CpnsException, got " + e, e);
        }
        throw new AssertionError("expected a CpnsException");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** A PNE with UI, connected, holding its EUKey (assigned through the gateway's tunnel). */
    PneClient enrolledPne(String id) throws Exception {
        return enrolledPne(config(id));
    }

    PneClient enrolledPne(PneConfig config) throws Exception {
        String id = config.id().value();
        PneClient c = pne(config, ip());
        c.connect(EntityId.of(GATEWAY));
        if (!c.hasEuKey()) {
            c.assignEuKey(USER, PASSWORD.toCharArray());
        }
        // after PSK-TLS the PNE is a moment ahead of the PN GW: wait until the gateway routes to it
        Osgi.eventually(id + " linked on the PN GW", () -> osgi.service(io.cpns.api.gateway.PneMessenger.class)
                .link(EntityId.of(id)).isPresent(), () -> "");
        return c;
    }
}
