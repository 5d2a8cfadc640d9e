package io.cpns.gw.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cpns.api.EntityId;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.LinkState;
import io.cpns.crypto.Randoms;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.testkit.BundleContexts;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real {@link ServerLinkComponent} (as SCR builds it) against a {@link TestServer} on loopback,
 * with the gateway's real encrypted keystore in a temporary directory.
 */
final class LinkFixture implements AutoCloseable {
    static final EntityId GW = EntityId.of("gw-home");
    /** Back-off steps small enough that a test runs through several. */
    static final int BACKOFF_INITIAL = 40;
    static final int BACKOFF_MAX = 160;

    final TestServer server;
    final EncryptedFileStore secrets;
    final TestLogger log = new TestLogger("gw-link");
    private final Path dir;
    ServerLinkComponent link;

    LinkFixture(Path dir) throws IOException {
        this.dir = dir;
        server = new TestServer(dir);
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
    }

    /** The gateway and the Server share an EUKey, as after an earlier assignment (TS §5.3.1). */
    byte[] assigned() {
        byte[] key = Randoms.bytes(32);
        secrets.put(KeyStoreAliases.euKey(GW), key);
        server.knows(GW, key);
        return key;
    }

    /** An assigned gateway whose link is up: the Server's side of its session. */
    TestServer.Session authenticated() throws IOException, InterruptedException {
        assigned();
        start();
        TestServer.Session s = server.session();
        await(LinkState.AUTHENTICATED);
        return s;
    }

    ServerLinkComponent start() throws IOException {
        return start(Map.of());
    }

    /** Activates the link as SCR would, with {@code overrides} over the test configuration. */
    ServerLinkComponent start(Map<String, Object> overrides) throws IOException {
        link = new ServerLinkComponent(secrets, () -> GW, null, log.logger(), Configs.of(ServerLinkComponent.Config.class, config(overrides)),
                BundleContexts.withProperties(Map.of("cpns.data", dir.toString())));
        return link;
    }

    Map<String, Object> config(Map<String, Object> overrides) {
        Map<String, Object> c = new HashMap<>(Map.of("serverHost", "127.0.0.1", "serverPort", server.port(),
                "serverId", TestServer.ID.value(), "serverName", "localhost", "operatorCaFile", server.caCert.toString(),
                "backoffInitialMillis", BACKOFF_INITIAL, "backoffMaxMillis", BACKOFF_MAX, "handshakeTimeoutMillis", 10000));
        c.putAll(overrides);
        return c;
    }

    /** Waits (bounded: a safety net, not a threshold) until the link is in {@code state}. */
    void await(LinkState state) throws InterruptedException {
        long deadline = System.nanoTime() + TestServer.WAIT_MILLIS * 1_000_000;
        while (link.status().state() != state && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(state, link.status().state(), () -> "link " + link.status());
    }

    @Override
    public void close() throws Exception {
        if (link != null) {
            link.deactivate();
        }
        server.close();
        secrets.close();
    }
}
