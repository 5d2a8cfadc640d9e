package io.cpns.itests;

import io.cpns.api.server.ServerEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PN GW from the distribution as its own process ({@code bin/cpns-gateway --data --config}),
 * enrolled with the Server of the test's framework: started, killed with SIGKILL (a power cut,
 * not a shutdown), and started again on the same data. Its configuration is a copy of
 * etc/gateway/config with its own identity and free ports, plus what the test adds.
 */
final class GatewayProcess {
    final String id;
    final Path home;
    private Process process;

    private GatewayProcess(String id, Path home) {
        this.id = id;
        this.home = home;
    }

    /** {@code extra}: more configuration files, by name, with their lines (they replace the copied ones). */
    static GatewayProcess create(String id, ServerEndpoint ep, String user, String password, Map<String, List<String>> extra)
            throws IOException {
        Path home = Files.createTempDirectory(id);
        Path config = Files.createDirectories(home.resolve("config"));
        try (var files = Files.list(CpnsOptions.dist().resolve("etc/gateway/config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()));
            }
        }
        write(config, "cpns.gw.identity.cfg", List.of("gatewayId=" + id));
        write(config, "cpns.gw.link.cfg", List.of("serverHost=127.0.0.1", "serverPort=" + ep.listenAddress().getPort(), "serverId=cpns-server",
                "serverName=localhost", "operatorCaFile=" + ep.generatedOperatorCa().orElseThrow(), "userId=" + user,
                "password=" + password, "keepaliveSeconds=5", "backoffInitialMillis=100", "backoffMaxMillis=500"));
        write(config, "cpns.pan.ip.cfg", List.of("port=" + AbstractSliceIT.freePort(), "discoveryPort=" + AbstractSliceIT.freePort(),
                "discoveryInterface=lo", "announceSeconds=0"));
        write(config, "cpns.gw.broker.cfg", List.of("port=" + AbstractSliceIT.freePort()));
        for (Map.Entry<String, List<String>> e : extra.entrySet()) {
            write(config, e.getKey(), e.getValue());
        }
        return new GatewayProcess(id, home);
    }

    private static void write(Path dir, String file, List<String> lines) throws IOException {
        Files.write(dir.resolve(file), lines);
    }

    /** Starts it and waits until it is ready (every component active, no health problem) and its link to the Server is up. */
    void start(ServerEndpoint ep) throws IOException {
        long readyBefore = count("CPNS runtime ready");
        ProcessBuilder b = new ProcessBuilder(CpnsOptions.dist().resolve("bin/cpns-gateway").toString(), "--data", data().toString(),
                "--config", home.resolve("config").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("gateway.log").toFile()));
        process = b.start();
        Process p = process;
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // whatever happens to the tests
        Osgi.eventually(id + " ready and connected to the Server", () -> count("CPNS runtime ready") > readyBefore && connected(ep), this::log);
    }

    /** SIGKILL: no shutdown hook, no deactivation, nothing flushed that was not on disk. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    boolean connected(ServerEndpoint ep) {
        // its PSK session (the bootstrap connection that assigned its EUKey closes once it has it)
        return ep.sessions().stream().anyMatch(s -> s.entityId().equals(id) && s.tlsMode().equals("psk") && !s.suite().isEmpty());
    }

    Path data() {
        return home.resolve("data");
    }

    /** Its secret store's directory, unless the test configured another one. */
    Path keystore() {
        return data().resolve("keystore");
    }

    String log() {
        try {
            return Files.readString(home.resolve("gateway.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    long count(String text) {
        return log().lines().filter(l -> l.contains(text)).count();
    }

    /** The log lines written since {@code mark} ({@link #lines()} at that time). */
    List<String> linesSince(int mark) {
        List<String> all = log().lines().toList();
        return new ArrayList<>(all.subList(Math.min(mark, all.size()), all.size()));
    }

    int lines() {
        return (int) log().lines().count();
    }

    int panPort() throws IOException {
        return Files.readAllLines(home.resolve("config/cpns.pan.ip.cfg")).stream().filter(l -> l.startsWith("port="))
                .map(l -> Integer.parseInt(l.substring(5))).findFirst().orElseThrow();
    }
}
