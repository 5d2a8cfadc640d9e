package io.cpns.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Mosquitto 2 with the dynamic-security plugin on a free loopback port, set up as an operator
 * would (docs/operator-guide.md): {@code mosquitto_ctrl dynsec init} with the PN GW's admin client,
 * which is then allowed to publish. For the tests and the load harness; Debian's {@code mosquitto}
 * and {@code mosquitto-clients} packages provide it ({@code .ci/run} installs them).
 */
public final class LocalMosquitto implements AutoCloseable {
    private static final int WAIT_SECONDS = 20;

    private final Path dir;
    private final Path binary;
    private final Path config;
    private final int port;
    private Process process;

    private LocalMosquitto(Path dir, Path binary, Path config, int port) {
        this.dir = dir;
        this.binary = binary;
        this.config = config;
        this.port = port;
    }

    /** Why Mosquitto cannot run here, or empty if it can. */
    public static Optional<String> missing() {
        Optional<String> commands = Commands.missing("mosquitto", "mosquitto_ctrl");
        if (commands.isPresent()) {
            return commands;
        }
        return plugin() == null ? Optional.of("no mosquitto_dynamic_security.so (apt-get install mosquitto)") : Optional.empty();
    }

    /** Sets up {@code dir} (dynamic-security file, config, log) and starts Mosquitto. */
    public static LocalMosquitto start(Path dir, String admin, String adminPassword) throws IOException, InterruptedException {
        String why = missing().orElse(null);
        if (why != null) {
            throw new IllegalStateException(why);
        }
        Files.createDirectories(dir);
        Path dynsec = dir.resolve("dynamic-security.json");
        Files.deleteIfExists(dynsec);
        run(ctrl().toString(), "dynsec", "init", dynsec.toString(), admin, adminPassword);
        letTheAdminPublish(dynsec);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "persistence false",
                "max_queued_messages 10000",
                // started as root, Mosquitto would switch to user mosquitto and could not save dynsec changes
                "user " + System.getProperty("user.name"),
                "plugin " + plugin(),
                "plugin_opt_config_file " + dynsec,
                ""));
        LocalMosquitto m = new LocalMosquitto(dir, binary(), config, port);
        m.startProcess();
        return m;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public Path log() {
        return dir.resolve("mosquitto.log");
    }

    /** Stops and starts the process again (retained messages are lost, dynamic-security clients kept). */
    public void restart() throws IOException, InterruptedException {
        stopProcess();
        startProcess();
    }

    @Override
    public void close() {
        try {
            stopProcess();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code dynsec init} gives the admin no right to publish to normal topics. Added in the file
     * before Mosquitto starts, as {@code mosquitto_ctrl dynsec addRoleACL admin publishClientSend '#'
     * allow} would: that command changes its own role, so it loses its connection and waits ~10 s.
     */
    private static void letTheAdminPublish(Path dynsec) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode root = json.readTree(dynsec.toFile());
        for (JsonNode role : root.path("roles")) {
            if (role.path("rolename").asText().equals("admin")) {
                ((ArrayNode) role.path("acls")).addObject().put("acltype", "publishClientSend").put("topic", "#").put("allow", true);
            }
        }
        json.writeValue(dynsec.toFile(), root);
    }

    private void startProcess() throws IOException, InterruptedException {
        process = new ProcessBuilder(binary.toString(), "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                new Socket("127.0.0.1", port).close();
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IOException("Mosquitto did not listen on " + port + ":\n" + Files.readString(log()));
    }

    private void stopProcess() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static Path binary() {
        return Commands.find("mosquitto").orElse(null);
    }

    private static Path ctrl() {
        return Commands.find("mosquitto_ctrl").orElse(null);
    }

    /** Debian puts the plugin in /usr/lib/<multiarch triplet>/. */
    private static Path plugin() {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib"), Path.of("/usr/lib/mosquitto")));
        if (Files.isDirectory(Path.of("/usr/lib"))) {
            try (Stream<Path> s = Files.list(Path.of("/usr/lib"))) {
                s.filter(Files::isDirectory).forEach(dirs::add);
            } catch (IOException ignored) {
                // the fixed list only
            }
        }
        return find("mosquitto_dynamic_security.so", dirs);
    }

    private static Path find(String name, List<Path> dirs) {
        return dirs.stream().map(d -> d.resolve(name)).filter(Files::isRegularFile).findFirst().orElse(null);
    }
}
