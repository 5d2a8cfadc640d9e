package io.cpns.demo;

import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.PnManagement;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import io.cpns.demo.Runtimes.Services;
import io.cpns.launcher.CpnsRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import io.cpns.testkit.LocalMosquitto;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/cpns-load [N ...]}: PN Establishment with N simulated PNEs against one PN GW on this
 * machine. The Server and the PN GW run here (two frameworks, as in the demo); the PNEs run in a
 * separate process ({@code bin/cpns-pne-sim}), so this JVM's heap is the Server's and the
 * gateway's only. Per N: the PNEs connect and get their EUKeys (setup, timed apart), the PN GW
 * establishes one PN with all of them (GW-initiated, "All"); figures: PNEs established per second,
 * per-PNE establishment time p50/p99 (measured by each PNE from PN Setup Notify to verified
 * hash_server and the whole PN Inventory in hand), and the gateway's heap with the PNEs connected (the heap this JVM frees when the
 * gateway framework is stopped, after full GCs).
 */
final class Load {
    private static final String USER = "loaduser";
    private static final String GATEWAY = "gw-load";

    private final Path home;
    private final Path root;
    private final List<Integer> sizes;
    private final String password = "load-" + Long.toHexString(new SecureRandom().nextLong());
    private final int panPort;
    private final boolean rekey;
    private final boolean mosquitto;
    private final List<String> rekeyRows = new ArrayList<>();
    private Services srv;

    /**
     * @param rekey     also measure a Service Group rekey over MQTT broadcast (after each PN)
     * @param mosquitto broadcast through a Mosquitto started here instead of the embedded broker
     */
    Load(Path home, List<Integer> sizes, boolean rekey, boolean mosquitto) throws IOException {
        this.home = home;
        this.root = home.resolve("data").resolve("load");
        this.sizes = sizes;
        this.rekey = rekey;
        this.mosquitto = mosquitto;
        try (ServerSocket s = new ServerSocket(0)) {
            this.panPort = s.getLocalPort();
        }
    }

    int run() throws Exception {
        Runtimes.deleteTree(root);
        System.out.printf("CPNS load harness: Server + PN GW in this JVM (max heap %d MiB), PNEs in bin/cpns-pne-sim; %d cores%n",
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        long serverOnly;
        CpnsRuntime server = null;
        CpnsRuntime gateway = null;
        LocalMosquitto broker = null;
        List<String> results = new ArrayList<>();
        try {
            Map<String, String> brokerConfig = Map.of("port", "0");
            if (mosquitto) {
                String missing = LocalMosquitto.missing().orElse(null);
                if (missing != null) {
                    System.out.println("SKIP: " + missing + " (Debian: apt-get install mosquitto mosquitto-clients)");
                    return 0;
                }
                String admin = "load-" + Long.toHexString(new SecureRandom().nextLong());
                broker = LocalMosquitto.start(root.resolve("mosquitto"), "cpns-gw", admin);
                brokerConfig = Map.of("mode", "mosquitto", "mosquittoUri", broker.uri(), "adminUser", "cpns-gw", "adminPassword", admin);
                System.out.println("Mosquitto with dynamic security on " + broker.uri());
            }
            server = start("server", Map.of("cpns.server.endpoint.cfg", Map.of("port", "0"),
                    "cpns.server.users.cfg", Map.of("argon2MemoryKiB", "8192", "argon2Iterations", "1")));
            srv = new Services(server.framework().getBundleContext());
            Runtimes.awaitReady(srv);
            ServerEndpoint endpoint = srv.get(ServerEndpoint.class);
            Path ca = endpoint.generatedOperatorCa().orElseThrow();
            srv.get(UserRegistry.class).register(UserId.of(USER), password.toCharArray());
            serverOnly = heapAfterGc();
            gateway = start("gateway", Map.of("cpns.gw.identity.cfg", Map.of("gatewayId", GATEWAY),
                    "cpns.gw.link.cfg", Map.of("serverPort", String.valueOf(endpoint.listenAddress().getPort()), "operatorCaFile", ca.toString()),
                    // every simulated PNE connects from 127.0.0.1, most on plain links until their PN forms
                    "cpns.pan.ip.cfg", Map.of("port", String.valueOf(panPort), "discoveryPort", "0", "maxUnauthenticatedPerAddress", "0"),
                    "cpns.gw.pn.cfg", Map.of("notifyTimeoutMillis", "60000", "authTimeoutMillis", "120000", "serverTimeoutMillis", "120000"),
                    "cpns.gw.broker.cfg", brokerConfig));
            Services gw = new Services(gateway.framework().getBundleContext());
            Runtimes.awaitReady(gw);
            gw.get(GatewayEnrolment.class).assignEuKey(USER, password.toCharArray());
            Runtimes.awaitLink(gw, LinkState.AUTHENTICATED);
            long idle = heapAfterGc();
            System.out.printf("idle PN GW: %.1f MiB of heap (Server alone: %.1f MiB)%n%n", mib(idle - serverOnly), mib(serverOnly));
            for (int i = 0; i < sizes.size(); i++) {
                boolean last = i == sizes.size() - 1;
                results.add(round(sizes.get(i), gw, ca, last ? gateway : null));
                if (last) {
                    gateway = null; // stopped by the round, to weigh it
                }
            }
        } finally {
            if (gateway != null) {
                gateway.stop();
            }
            if (server != null) {
                server.stop();
            }
            if (broker != null) {
                broker.close();
            }
        }
        System.out.println("\n| PNEs | EUKey enrolment (s) | PN established in (s) | PNEs/s | per-PNE p50 (ms) | per-PNE p99 (ms) | gateway heap (MiB) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        results.forEach(System.out::println);
        if (rekey) {
            System.out.printf("%nRekey after one leave, broadcast over %s (times: leave asked at the Server until each remaining member "
                    + "holds the new Group Key; bytes: MQTT payload / broker fan-out with framing / naive unicast deliver+ack in PSK-TLS)%n",
                    mosquitto ? "Mosquitto" : "the embedded broker");
            System.out.println("| PNEs | whole group joined (s) | members holding the new key | p50 (ms) | p99 (ms) | max (ms) | "
                    + "broadcast bytes | broker fan-out bytes | naive unicast bytes |");
            System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            rekeyRows.forEach(System.out::println);
        }
        return 0;
    }

    /** One PN of {@code n} PNEs; when {@code stopAfter} is given, the gateway is stopped after it to weigh its heap. */
    private String round(int n, Services gw, Path ca, CpnsRuntime stopAfter) throws Exception {
        System.out.printf("== %d PNEs ==%n", n);
        Process sim = simulator(n, ca);
        Map<String, String> result = new java.util.concurrent.ConcurrentHashMap<>();
        double[] enrolSeconds = {0};
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(sim, ready, result, enrolSeconds), "cpns-load-sim-output");
        reader.setDaemon(true);
        reader.start();
        ready.get(30, TimeUnit.MINUTES);
        Runtimes.await(n + " PNEs connected", () -> gw.get(PneMessenger.class).links().size() >= n, () -> "");
        long t0 = System.nanoTime();
        PnRecord pn = gw.get(PnManagement.class).establish(SetupType.ALL, List.of()).toCompletableFuture().get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (pn.members().size() < n) {
            System.out.printf("WARNING: only %d of %d PNEs joined (see %s)%n", pn.members().size(), n, root.resolve("gateway/log/cpns.log"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // the simulator reports once all its PNEs joined
        while (!result.containsKey("p99_ms") && System.nanoTime() < deadline) {
            Runtimes.sleep(50);
        }
        if (rekey) {
            PrintStream toSim = new PrintStream(sim.getOutputStream(), true, StandardCharsets.UTF_8);
            rekeyRows.add(new RekeyRound(srv, gw, toSim, result).run(USER, GATEWAY,
                    pn.members().stream().map(m -> m.pneId()).sorted().toList()));
        }
        String heap = "-";
        if (stopAfter != null) {
            long with = heapAfterGc();
            stopAfter.stop();
            heap = String.format("%.1f", mib(with - heapAfterGc()));
        }
        sim.destroy();
        sim.waitFor(60, TimeUnit.SECONDS);
        System.out.printf("PN %s: %d members in %.2f s%n%n", pn.pnId(), pn.members().size(), seconds);
        return String.format("| %d | %.1f | %.2f | %.0f | %s | %s | %s |", pn.members().size(), enrolSeconds[0], seconds,
                pn.members().size() / seconds, result.getOrDefault("p50_ms", "n/a"), result.getOrDefault("p99_ms", "n/a"), heap);
    }

    private Process simulator(int n, Path ca) throws IOException {
        List<String> cmd = List.of(home.resolve("bin").resolve("cpns-pne-sim").toString(), "--count", String.valueOf(n),
                "--prefix", "pne-" + n, "--gateway", "127.0.0.1:" + panPort, "--gateway-id", GATEWAY, "--user", USER,
                "--operator-ca", ca.toString(), "--setup", "wait", "--timeout", rekey ? "600" : "1800", "--stay",
                "--data", root.resolve("sim-" + n).toString());
        if (rekey) {
            cmd = new ArrayList<>(cmd);
            cmd.addAll(List.of("--broadcast", "--control"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CPNS_PASSWORD", password);
        return pb.start();
    }

    /** Echoes the simulator; notes when its PNEs are enrolled and what its RESULT line says. */
    private static void read(Process sim, CompletableFuture<Void> ready, Map<String, String> result, double[] enrolSeconds) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(sim.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("  sim: " + line);
                if (line.contains("connected and holding an EUKey in")) {
                    enrolSeconds[0] = Double.parseDouble(line.replaceAll(".* in ([0-9.]+) s.*", "$1"));
                    ready.complete(null);
                } else if (line.startsWith("SETTLED ")) {
                    result.put("settled", line.substring(8).trim());
                } else if (line.startsWith("RESULT ")) {
                    Map<String, String> kv = new HashMap<>();
                    for (String pair : line.substring(7).split(" ")) {
                        kv.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
                    }
                    result.putAll(kv);
                }
            }
        } catch (IOException ignored) {
            // the simulator ended
        }
        ready.completeExceptionally(new IllegalStateException("the simulator ended before its PNEs were enrolled"));
    }

    private CpnsRuntime start(String role, Map<String, Map<String, String>> changes) throws Exception {
        Path etc = Runtimes.config(home, root.resolve("etc-" + role), role, changes);
        return CpnsRuntime.start(home, role, root.resolve(role), Runtimes.apiFromClassPath(home, etc), Set.of());
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Runtimes.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
