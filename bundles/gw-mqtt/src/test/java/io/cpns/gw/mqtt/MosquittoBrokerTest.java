package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    private static Path mosquitto;
    private static Path config;
    private static int port;
    private static Process process;
    private static GroupBrokerComponent broker;

    @BeforeAll
    static void startMosquitto() throws Exception {
        mosquitto = find("mosquitto", List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"), Path.of("/usr/bin")));
        Path ctrl = find("mosquitto_ctrl", List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin")));
        Path plugin = find("mosquitto_dynamic_security.so", pluginDirs());
        missing = mosquitto == null ? "no mosquitto binary" : ctrl == null ? "no mosquitto_ctrl"
                : plugin == null ? "no mosquitto_dynamic_security.so" : null;
        if (missing != null) {
            System.out.println("[gw-mqtt] " + missing + ": MosquittoBrokerTest skipped (.ci/run installs mosquitto and mosquitto-clients)");
            return;
        }

        Path dynsec = dir.resolve("dynamic-security.json");
        run(ctrl.toString(), "dynsec", "init", dynsec.toString(), ADMIN, ADMIN_PASSWORD);
        letTheAdminPublish(dynsec);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        config = dir.resolve("mosquitto.conf");
        Files.writeString(config, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "persistence false",
                // started as root, Mosquitto would switch to user mosquitto and could not save dynsec changes
                "user " + System.getProperty("user.name"),
                "plugin " + plugin,
                "plugin_opt_config_file " + dynsec,
                "log_type all",
                ""));
        startProcess();
        broker = mosquittoBroker("tcp://127.0.0.1:" + port, 5000);
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
        if (process != null) {
            stopProcess();
            System.out.println("---- mosquitto log\n" + Files.readString(dir.resolve("mosquitto.log")));
        }
    }

    static GroupBrokerComponent mosquittoBroker(String uri, int timeoutMillis) {
        return new GroupBrokerComponent(Configs.of(GroupBrokerComponent.Config.class, Map.of(
                "mode", "mosquitto", "mosquittoUri", uri, "adminPassword", ADMIN_PASSWORD,
                "publishTimeoutMillis", timeoutMillis)), LOG.logger());
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
        } finally {
            unreachable.deactivate();
        }
        assertTrue(LOG.all().contains("not reachable as " + ADMIN), LOG.all());
    }

    @Test
    void mosquittoRestart_gatewayReconnects_andRepublishesItsRetainedMessages() throws Exception {
        String u = user("a");
        String pw = password();
        String t = topic("g");
        grant(u, pw, t);
        broker.publish(t, "epoch 7".getBytes(StandardCharsets.UTF_8), true);
        stopProcess();
        startProcess(); // without persistence: retained messages gone, dynsec clients kept in its file
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

    /**
     * The operator's second step: {@code dynsec init} gives the admin no right to publish to normal
     * topics. Done here in the file before Mosquitto starts, as {@code mosquitto_ctrl dynsec
     * addRoleACL admin publishClientSend '#' allow} would, because that command closes its own
     * connection (it changes its own role) and then waits about 10 s for an answer.
     */
    private static void letTheAdminPublish(Path dynsec) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode root = json.readTree(dynsec.toFile());
        for (JsonNode role : root.path("roles")) {
            if (role.path("rolename").asText().equals("admin")) {
                ((ArrayNode) role.path("acls")).addObject()
                        .put("acltype", "publishClientSend").put("topic", "#").put("allow", true);
            }
        }
        json.writeValue(dynsec.toFile(), root);
    }

    private static void startProcess() throws IOException, InterruptedException {
        process = new ProcessBuilder(mosquitto.toString(), "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Pne.WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            try {
                new Socket("127.0.0.1", port).close();
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(20);
            }
        }
        fail("Mosquitto did not listen on " + port + ":\n" + Files.readString(dir.resolve("mosquitto.log")));
    }

    private static void stopProcess() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(Pne.WAIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(Pne.WAIT_SECONDS, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), command[0] + " " + command[1] + ": " + out);
    }

    private static Path find(String name, List<Path> dirs) {
        return dirs.stream().map(d -> d.resolve(name)).filter(Files::isRegularFile).findFirst().orElse(null);
    }

    /** Debian puts the plugin in /usr/lib/<multiarch triplet>/. */
    private static List<Path> pluginDirs() throws IOException {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib"), Path.of("/usr/lib/mosquitto")));
        if (Files.isDirectory(Path.of("/usr/lib"))) {
            try (Stream<Path> s = Files.list(Path.of("/usr/lib"))) {
                s.filter(Files::isDirectory).forEach(dirs::add);
            }
        }
        return dirs;
    }
}
