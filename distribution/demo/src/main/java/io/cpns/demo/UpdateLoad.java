package io.cpns.demo;

import static io.cpns.demo.DemoSteps.check;

import io.cpns.api.EntityId;
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
import io.cpns.demo.UpdateDemo.Progress;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.launcher.CpnsRuntime;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;

/**
 * {@code bin/cpns-load --update [--trial S] [--pace MS] [PNES]}: what a signed remote update costs the
 * PNEs of a PN GW, beside the floor, in one run (issue 11 §5). The Server and the PN GW run in this
 * JVM as in the demo (the PN GW under the launcher's restart loop, so a restart-class release
 * restarts its framework as {@code bin/cpns-gateway} does), PNEs (the PNE SDK) on the IP PAN in one
 * PN. The operator's keys and releases are made with the release tool, published and rolled out
 * with the Server's Gogo commands. All along, every PNE relays pings to the Server through gw-pn
 * ({@link PneTraffic}). Measured:
 * <ol>
 *   <li>a hot release of gw-pn: offer to COMMITTED (and its parts: to APPLYING, the apply, the trial),
 *       PNE requests answered and failed, the longest gap between two answers to one PNE, links dropped;</li>
 *   <li>the floor: the same PNEs for as long again with no update;</li>
 *   <li>the same for a restart-class release of gw-pn (the framework restarted, links re-made by the
 *       PNEs), and its floor.</li>
 * </ol>
 */
final class UpdateLoad {
    private static final String USER = "updateload";
    private static final String GATEWAY = "gw-update-load";
    private static final String ROOT_PASS = "CPNS_LOAD_ROOT_PASSPHRASE";
    private static final String RELEASE_PASS = "CPNS_LOAD_RELEASE_PASSPHRASE";

    private final Path home;
    private final Path root;
    private final int pnes;
    private final int trialSeconds;
    private final Duration pace;
    private final String password = "load-" + Long.toHexString(new SecureRandom().nextLong());
    private final ReleaseTool tool = new ReleaseTool(Map.of(ROOT_PASS, secret(), RELEASE_PASS, secret()));
    private final List<PneClient> clients = new ArrayList<>();
    private final List<String> rows = new ArrayList<>();
    private RestartingRuntime gateway;
    private BundleContext srvCtx;
    private String rootKey;

    UpdateLoad(Path home, int pnes, int trialSeconds, Duration pace) {
        this.home = home;
        this.root = home.resolve("data").resolve("load-update");
        this.pnes = pnes;
        this.trialSeconds = trialSeconds;
        this.pace = pace;
    }

    int run() throws Exception {
        Runtimes.deleteTree(root);
        System.out.printf("CPNS update harness: Server, PN GW and %d PNEs in this JVM (%d cores); trial %d s; each PNE relays a ping to "
                + "the Server through gw-pn, %d ms between an answer and the next request%n", pnes,
                Runtime.getRuntime().availableProcessors(), trialSeconds, pace.toMillis());
        CpnsRuntime server = null;
        try {
            server = start("server", Map.of("cpns.server.endpoint.cfg", Map.of("port", "0"),
                    "cpns.server.users.cfg", Map.of("argon2MemoryKiB", "8192", "argon2Iterations", "1"),
                    "cpns.server.artifacts.cfg", Map.of("port", "0")));
            Services srv = new Services(server.framework().getBundleContext());
            srvCtx = server.framework().getBundleContext();
            Runtimes.awaitReady(srv);
            ServerEndpoint endpoint = srv.get(ServerEndpoint.class);
            Path ca = endpoint.generatedOperatorCa().orElseThrow();
            srv.get(UserRegistry.class).register(UserId.of(USER), password.toCharArray());
            keys();
            int panPort = freePort();
            Path etc = Runtimes.config(home, root.resolve("etc-gateway"), "gateway", Map.of(
                    "cpns.gw.identity.cfg", Map.of("gatewayId", GATEWAY),
                    "cpns.gw.link.cfg", Map.of("serverPort", String.valueOf(endpoint.listenAddress().getPort()), "operatorCaFile", ca.toString(),
                            "backoffMaxMillis", "1000"),
                    "cpns.pan.ip.cfg", Map.of("port", String.valueOf(panPort), "discoveryPort", "0", "maxUnauthenticatedPerAddress", "0"),
                    "cpns.gw.broker.cfg", Map.of("port", "0"),
                    "cpns.gw.update.cfg", Map.of("trialSeconds", String.valueOf(trialSeconds))));
            Map<String, String> props = new HashMap<>(Runtimes.apiFromClassPath(home, etc));
            props.put("cpns.update.rootKeys", rootKey);
            props.put(CpnsRuntime.RESTARTABLE, "true");
            gateway = new RestartingRuntime(home, "gateway", root.resolve("gateway"), props);
            Services gw = gateway.services();
            Runtimes.awaitReady(gw);
            gw.get(GatewayEnrolment.class).assignEuKey(USER, password.toCharArray());
            Runtimes.awaitLink(gw, LinkState.AUTHENTICATED);
            pn(gw, ca, panPort);

            System.out.println("warming up (10 s of requests)");
            PneTraffic warmUp = new PneTraffic(clients, pace);
            Runtimes.sleep(10_000);
            warmUp.close();

            measure("hot", 1, "0.1.1", false);
            measure("restart class", 2, "0.1.2", true);
        } finally {
            clients.forEach(PneClient::close);
            if (gateway != null) {
                gateway.close();
            }
            if (server != null) {
                server.stop();
            }
        }
        System.out.printf("%n| update of gw-pn (%d PNEs in a PN, trial %d s) | offer → COMMITTED | offer → APPLYING | apply | trial "
                + "| PNE requests answered | failed | longest gap between two answers | PNE links dropped |%n", pnes, trialSeconds);
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
        return 0;
    }

    /** A release of gw-pn rolled out under traffic, then the floor: the same traffic as long with no update. */
    private void measure(String what, long seq, String version, boolean restart) throws Exception {
        Path jar = Rebuild.withVersion(Rebuild.distJar(home, "gateway", "io.cpns.gw.pn"), version, false,
                root.resolve("operator/build/gw-pn-" + version + ".jar"));
        List<String> sign = new ArrayList<>(List.of("sign", "--key", root.resolve("operator/release.key").toString(), "--keys",
                root.resolve("operator/keys-1").toString(), "--root-key", rootKey, "--seq", String.valueOf(seq), "--expires", "P1D",
                "--out", root.resolve("operator/releases/" + seq).toString(), "--passphrase-env", RELEASE_PASS));
        if (restart) {
            sign.addAll(List.of("--class", "io.cpns.gw.pn=RESTART"));
        }
        sign.add(jar.toString());
        tool.ok(sign.toArray(String[]::new));
        check(Gogo.run(srvCtx, "server:releasepublish " + root.resolve("operator/releases/" + seq)).contains("published"), "not published");
        System.out.printf("%n== %s: release %d, gw-pn %s ==%n", what, seq, version);

        Map<String, Instant> links = linkTimes();
        PneTraffic traffic = new PneTraffic(clients, pace, restart ? EntityId.of(GATEWAY) : null);
        Instant offered = Instant.now();
        long t0 = System.nanoTime();
        Gogo.run(srvCtx, "server:rolloutstart --id load-r" + seq + " --waves '100%' --soak 0s --deadline 10m " + seq);
        Runtimes.await("a final state", () -> Set.of("COMMITTED", "ROLLED_BACK", "REFUSED", "FAILED", "CANCELLED")
                .contains(UpdateDemo.progress(srvCtx, "load-r" + seq, GATEWAY).phase()),
                () -> String.valueOf(UpdateDemo.progress(srvCtx, "load-r" + seq, GATEWAY)), Duration.ofSeconds(120 + trialSeconds));
        long nanos = System.nanoTime() - t0;
        PneTraffic.Figures f = traffic.stop();
        Progress p = UpdateDemo.progress(srvCtx, "load-r" + seq, GATEWAY);
        check(p.phase().equals("COMMITTED"), what + ": " + p);
        Map<String, Instant> after = linkTimes();
        long dropped = links.entrySet().stream().filter(e -> !e.getValue().equals(after.get(e.getKey()))).count();
        System.out.printf("%s: %s; %d answered, %d failed%s, longest gap %d ms, %d of %d links dropped, %d restart(s) of the framework%n",
                what, p.last().detail(), f.answered(), f.failed(), f.errors().isEmpty() ? "" : " " + f.errors(), f.longestGapMillis(),
                dropped, links.size(), gateway.restarts());
        rows.add(String.format("| %s | %.2f s | %.2f s | %.2f s | %.2f s | %d | %d | %d ms | %d of %d |", what,
                UpdateDemo.seconds(offered, p.at("COMMITTED")), UpdateDemo.seconds(offered, p.at("APPLYING")),
                UpdateDemo.seconds(p.at("APPLYING"), p.at("TRIAL")), UpdateDemo.seconds(p.at("TRIAL"), p.at("COMMITTED")), f.answered(),
                f.failed(), f.longestGapMillis(), dropped, links.size()));

        PneTraffic floor = new PneTraffic(clients, pace);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(nanos));
        PneTraffic.Figures g = floor.stop();
        System.out.printf("floor, no update, %.1f s: %d answered, %d failed, longest gap %d ms%n", nanos / 1e9, g.answered(), g.failed(),
                g.longestGapMillis());
        rows.add(String.format("| floor: no update, as long | – | – | – | – | %d | %d | %d ms | – |", g.answered(), g.failed(),
                g.longestGapMillis()));
    }

    // ---- setting up ----

    private void keys() {
        Path ops = root.resolve("operator");
        String out = tool.ok("keygen", "--root", "--out", ops.resolve("root.key").toString(), "--passphrase-env", ROOT_PASS);
        rootKey = ReleaseTool.field(out, "public key, base64:");
        tool.ok("keygen", "--release", "--out", ops.resolve("release.key").toString(), "--passphrase-env", RELEASE_PASS);
        tool.ok("certify", "--root-key", ops.resolve("root.key").toString(), "--keys-seq", "1", "--key", ops.resolve("release.key.pub") + "=P30D",
                "--out", ops.resolve("keys-1").toString(), "--passphrase-env", ROOT_PASS);
    }

    /** {@code pnes} PNEs with UI get their EUKeys through the PN GW, and the PN GW forms one PN of them all. */
    private void pn(Services gw, Path ca, int panPort) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < pnes; i++) {
            String id = String.format("pne-u%03d", i);
            Path dir = root.resolve("pne").resolve(id);
            Files.createDirectories(dir);
            PneClient c = new PneClient(PneConfig.of(id).withUi(true).withServer("cpns-server", ca, "localhost")
                    .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(120)), new IpTransport("127.0.0.1", panPort, false),
                    new EncryptedFileStore(dir, dir.resolve("master.key")));
            clients.add(c);
            c.connect(EntityId.of(GATEWAY));
            c.assignEuKey(USER, password.toCharArray());
        }
        Runtimes.await(pnes + " PNEs linked", () -> gw.get(PneMessenger.class).links().size() >= pnes, () -> "");
        PnRecord pn = gw.get(PnManagement.class).establish(SetupType.ALL, List.of()).toCompletableFuture().get(5, TimeUnit.MINUTES);
        check(pn.members().size() == pnes, "only " + pn.members().size() + " PNEs joined");
        Runtimes.await("every PNE in the PN", () -> clients.stream().allMatch(c -> c.pn(pn.pnId()).isPresent()), () -> "");
        System.out.printf("%d PNEs enrolled and in PN %s in %.1f s%n", pnes, pn.pnId(), (System.nanoTime() - t0) / 1e9);
    }

    private Map<String, Instant> linkTimes() {
        Map<String, Instant> m = new HashMap<>();
        Runtimes.await("the PN GW's links", () -> {
            m.clear();
            try {
                gateway.services().get(PneMessenger.class).links().forEach(l -> m.put(l.pneId(), l.since()));
                return m.size() >= pnes;
            } catch (IllegalStateException restarting) {
                return false;
            }
        }, () -> m.keySet().toString(), Duration.ofSeconds(60));
        return m;
    }

    private CpnsRuntime start(String role, Map<String, Map<String, String>> changes) throws Exception {
        Path etc = Runtimes.config(home, root.resolve("etc-" + role), role, changes);
        return CpnsRuntime.start(home, role, root.resolve(role), Runtimes.apiFromClassPath(home, etc), Set.of());
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
