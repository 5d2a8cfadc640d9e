package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.testkit.Configs;
import io.cpns.testkit.LocalMosquitto;
import io.cpns.testkit.TestLogger;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Mosquitto 2 with the dynamic-security plugin, started here on a free loopback port and set
 * up as an operator would: {@code mosquitto_ctrl dynsec init}, then publishClientSend for the
 * admin. Without Mosquitto (Debian: mosquitto, mosquitto-clients) every test is skipped.
 */
class MosquittoBrokerTest extends GroupBrokerContract {
    private static final TestLogger LOG = new TestLogger("gw-mqtt");
    private static final String ADMIN = "cpns-gw";
    private static final String ADMIN_PASSWORD = UUID.randomUUID().toString();

    @TempDir
    static Path dir;
    private static String missing;
    private static LocalMosquitto mosquitto;
    private static int port;
    private static GroupBrokerComponent broker;

    @BeforeAll
    static void startMosquitto() throws Exception {
        missing = LocalMosquitto.missing().orElse(null);
        if (missing != null) {
            System.out.println("[gw-mqtt] " + missing + ": MosquittoBrokerTest skipped (.ci/run installs mosquitto and mosquitto-clients)");
            return;
        }
        mosquitto = LocalMosquitto.start(dir, ADMIN, ADMIN_PASSWORD);
        port = mosquitto.port();
        broker = mosquittoBroker(mosquitto.uri(), 5000);
    }

    /** Each test is reported as skipped, with the reason, when Mosquitto is not installed. */
    @BeforeEach
    void mosquittoInstalled() {
        Assumptions.assumeTrue(missing == null, missing + " (.ci/run installs mosquitto and mosquitto-clients)");
    }

    @AfterAll
    static void stopMosquitto() throws Exception {
        if (broker != null) {
            broker.deactivate();
        }
        if (mosquitto != null) {
            mosquitto.close();
            System.out.println("---- mosquitto log\n" + Files.readString(mosquitto.log()));
        }
    }

    static GroupBrokerComponent mosquittoBroker(String uri, int timeoutMillis) {
        return new GroupBrokerComponent(Configs.of(GroupBrokerComponent.Config.class, Map.of(
                "mode", "mosquitto", "mosquittoUri", uri, "adminPassword", ADMIN_PASSWORD,
                "publishTimeoutMillis", timeoutMillis)), LOG.logger(), null); // not from a .cfg file: no ConfigurationAdmin
    }

    @Override
    GroupBrokerComponent broker() {
        return broker;
    }

    @Override
    TestLogger log() {
        return LOG;
    }

    @Override
    boolean retains() {
        return true;
    }

    @Test
    void uri_isMosquittos() {
        assertEquals("tcp://127.0.0.1:" + port, broker.uri());
    }

    @Test
    void theAdminClient_cannotBeGrantedOrRevoked() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class,
                () -> broker.grant(ADMIN, password().toCharArray(), Set.of(topic("g")))).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> broker.revoke(ADMIN)).code());
    }

    @Test
    void aRestartedGateway_takesOverTheClientsAnEarlierRunCreated() throws Exception {
        String u = user("a");
        String pw = password();
        String before = topic("before");
        String after = topic("after");
        grant(u, pw, before);
        GroupBrokerComponent restarted = mosquittoBroker("tcp://127.0.0.1:" + port, 5000);
        try {
            // its createRole and createClient answer "already exists": it modifies both instead
            restarted.grant(u, pw.toCharArray(), Set.of(after));
            try (Pne pne = Pne.connect(uri(), u, pw)) {
                assertEquals(0x80, pne.subscribe(before));
                assertEquals(1, pne.subscribe(after));
            }
        } finally {
            restarted.deactivate();
        }
    }

    @Test
    void unreachableMosquitto_activates_butEveryCallIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        GroupBrokerComponent unreachable = mosquittoBroker("tcp://127.0.0.1:" + closedPort, 300);
        try {
            assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class,
                    () -> unreachable.publish(topic("g"), new byte[] {1}, false)).code());
            assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class,
                    () -> unreachable.grant(user("a"), password().toCharArray(), Set.of(topic("g")))).code());
            // issue 14 §4: the health check "MQTT broker" says so (it said nothing: READY without a broker)
            assertEquals(1, unreachable.problems().size(), unreachable.problems().toString());
            assertTrue(unreachable.problems().get(0).startsWith("MQTT broker: not connected to Mosquitto at tcp://127.0.0.1:" + closedPort),
                    unreachable.problems().toString());
        } finally {
            unreachable.deactivate();
        }
        assertTrue(unreachable.problems().isEmpty(), "a closed broker is no problem of its own");
        assertTrue(LOG.all().contains("not reachable as " + ADMIN), LOG.all());
    }

    @Test
    void mosquittoRestart_gatewayReconnects_andRepublishesItsRetainedMessages() throws Exception {
        String u = user("a");
        String pw = password();
        String t = topic("g");
        grant(u, pw, t);
        broker.publish(t, "epoch 7".getBytes(StandardCharsets.UTF_8), true);
        mosquitto.restart(); // without persistence: retained messages gone, dynsec clients kept in its file
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                publish(topic("ping"), "ping"); // waits for the reconnect, up to the publish timeout
                break;
            } catch (CpnsException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(1, pne.subscribe(t));
            assertEquals("epoch 7", pne.next().payload());
        }
    }
}
