package io.cpns.launcher;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.EntityId;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.UserRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * {@code bin/cpns-demo}: a CPNS Server and a PN GW, each its own OSGi framework with its own data,
 * configuration and bundles, talking over loopback. Walks the lifecycle of issue 2 step by step,
 * verifies each step, and exits 0 only if all were verified.
 */
final class Demo {
    private static final String USER = "alice";
    private static final String GATEWAY = "gw-demo";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Path home;
    private final Path root;
    private final long t0 = System.nanoTime();
    private final char[] password = ("demo-" + Long.toHexString(new SecureRandom().nextLong())).toCharArray();
    private CpnsRuntime server;
    private CpnsRuntime gateway;
    private int step;

    Demo(Path home) {
        this.home = home;
        this.root = home.resolve("data").resolve("demo");
    }

    int run() throws Exception {
        System.out.println("CPNS demo: a CPNS Server and a PN GW, each its own OSGi runtime, over loopback");
        System.out.println("logs: " + root.resolve("server.log") + ", " + root.resolve("gateway.log") + "\n");
        try {
            steps();
            System.out.printf("%nAll %d steps verified in %.2f s.%n", step, seconds());
            return 0;
        } catch (Failure | CpnsException | IllegalStateException e) {
            System.out.printf("[%7.3f s] FAIL  %d. %s%n", seconds(), step, e.getMessage());
            System.out.println("\nSee the logs above for details.");
            return 1;
        } finally {
            if (gateway != null) {
                gateway.stop();
            }
            if (server != null) {
                server.stop();
            }
        }
    }

    private void steps() throws Exception {
        deleteTree(root);
        Map<String, String> apiFromClassPath = Map.of("org.osgi.framework.system.packages.extra", apiExports());

        begin("start the CPNS Server (embedded H2 database, generated development PKI)");
        Path serverEtc = config("server", Map.of("cpns.server.endpoint.cfg", Map.of("port", "0"),
                "cpns.log.console.cfg", Map.of("file", root.resolve("server.log").toString())));
        server = CpnsRuntime.start(home, "server", root.resolve("server"), withEtc(apiFromClassPath, serverEtc), Set.of("cpns-api"));
        Services srv = new Services(server.framework().getBundleContext());
        awaitReady(srv);
        ServerEndpoint endpoint = srv.get(ServerEndpoint.class);
        Path ca = endpoint.generatedOperatorCa().orElseThrow(() -> new Failure("the server generated no operator CA"));
        pass("CPNS Server %s listening on %s", endpoint.serverId(), endpoint.listenAddress());

        begin("start the PN GW (no EUKey yet)");
        Path gwEtc = config("gateway", Map.of("cpns.gw.identity.cfg", Map.of("gatewayId", GATEWAY),
                "cpns.gw.link.cfg", Map.of("serverPort", String.valueOf(endpoint.listenAddress().getPort()), "operatorCaFile", ca.toString(),
                        "keepaliveSeconds", "5", "backoffMaxMillis", "2000"),
                "cpns.log.console.cfg", Map.of("file", root.resolve("gateway.log").toString())));
        gateway = CpnsRuntime.start(home, "gateway", root.resolve("gateway"), withEtc(apiFromClassPath, gwEtc), Set.of("cpns-api"));
        Services gw = new Services(gateway.framework().getBundleContext());
        awaitReady(gw);
        check(gw.get(ServerLink.class).status().state() == LinkState.UNASSIGNED, "link should wait for an EUKey");
        pass("PN GW %s up, link %s", GATEWAY, gw.get(ServerLink.class).status().state());

        begin("register CPNS User '" + USER + "' with the Server (TS 5.3.1)");
        srv.get(UserRegistry.class).register(UserId.of(USER), password.clone());
        check(srv.get(UserRegistry.class).list().contains(UserId.of(USER)), "user not listed");
        pass("user %s registered (password stored as an Argon2id hash)", USER);

        begin("EUKey assignment with a wrong password is refused");
        CpnsException wrong = expectError(() -> gw.get(GatewayEnrolment.class).assignEuKey(USER, "not-the-password".toCharArray()));
        check(wrong.code() == ErrorCode.AUTH_FAILED, "expected AUTH_FAILED, got " + wrong.code());
        check(!gw.get(GatewayEnrolment.class).hasEuKey() && srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).isEmpty(),
                "a key was assigned anyway");
        pass("refused: %s", wrong.getMessage());

        begin("assign the PN GW's EUKey over bootstrap TLS (operator CA + User ID/password, TS 5.3.1)");
        gw.get(GatewayEnrolment.class).assignEuKey(USER, password.clone());
        EntityRecord record = srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow(() -> new Failure("server has no entity"));
        String fingerprint = gw.get(ServerLink.class).status().euKeyFingerprint();
        check(record.euKeyFingerprint().equals(fingerprint), "gateway and server keys differ");
        check(record.owner().equals(UserId.of(USER)), "entity stored with the wrong user");
        pass("EUKey %s stored encrypted on both sides, with Entity ID %s and User ID %s", fingerprint, GATEWAY, USER);

        begin("mutual authentication: PSK-TLS 1.3 with the EUKey, then the message-level handshake (TS 5.3.3.1.1)");
        awaitState(gw, LinkState.AUTHENTICATED);
        SessionInfo s = serverSessionOf(srv);
        check(s.userId().equals(USER) && s.tlsMode().equals("psk"), "server sees " + s);
        pass("both sides authenticated; server sees %s of %s over %s TLS, suite %s", s.entityId(), s.userId(), s.tlsMode(), s.suite());

        begin("exchange protected messages (MAC + encryption with the session key)");
        byte[] payload = new byte[16];
        new SecureRandom().nextBytes(payload);
        Pong pong = (Pong) call(gw, new Ping(payload));
        check(Arrays.equals(pong.data(), payload), "ping payload came back different");
        EntityInfo info = (EntityInfo) call(gw, new EntityInfoRequest(GATEWAY));
        check(info.userId().equals(USER), "entity info for the wrong user");
        SessionInfo after = serverSessionOf(srv);
        check(after.messagesIn() >= 2 && after.messagesOut() >= 2, "server counted " + after.messagesIn() + " messages");
        pass("ping/pong and entity.info verified; server session counted %d in / %d out", after.messagesIn(), after.messagesOut());

        begin("a second EUKey assignment is refused (TS 5.3.1 'SHALL NOT happen')");
        CpnsException again = expectError(() -> gw.get(GatewayEnrolment.class).assignEuKey(USER, password.clone()));
        check(again.code() == ErrorCode.ALREADY_ASSIGNED, "expected ALREADY_ASSIGNED, got " + again.code());
        pass("refused: %s", again.code());

        begin("hot swap: update the gw-link bundle; the stored EUKey is reused, no new assignment");
        java.time.Instant firstSession = serverSessionOf(srv).since();
        Bundle linkBundle = bundle(gateway.framework().getBundleContext(), "gw-link");
        long before = linkBundle.getLastModified();
        linkBundle.update();
        check(linkBundle.getLastModified() > before && linkBundle.getState() == Bundle.ACTIVE, "gw-link was not updated");
        awaitState(gw, LinkState.AUTHENTICATED);
        check(gw.get(ServerLink.class).status().euKeyFingerprint().equals(fingerprint), "EUKey changed across the update");
        EntityRecord unchanged = srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow();
        check(unchanged.assignedAt().equals(record.assignedAt()), "the server assigned a new key");
        check(serverSessionOf(srv).since().isAfter(firstSession), "the server saw no new session");
        check(((Pong) call(gw, new Ping(payload))).data().length == payload.length, "no pong after the update");
        pass("gw-link updated and re-authenticated with the stored EUKey %s; protected ping OK", fingerprint);

        begin("restart the PN GW runtime: it reconnects with the EUKey stored encrypted on disk");
        java.time.Instant beforeRestart = serverSessionOf(srv).since();
        gateway.stop();
        gateway = CpnsRuntime.start(home, "gateway", root.resolve("gateway"), withEtc(apiFromClassPath, gwEtc), Set.of("cpns-api"));
        Services gw2 = new Services(gateway.framework().getBundleContext());
        awaitReady(gw2);
        awaitState(gw2, LinkState.AUTHENTICATED);
        check(gw2.get(ServerLink.class).status().euKeyFingerprint().equals(fingerprint), "EUKey changed across the restart");
        check(srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().assignedAt().equals(record.assignedAt()),
                "the server assigned a new key");
        check(serverSessionOf(srv).since().isAfter(beforeRestart), "the server saw no new session");
        check(call(gw2, new Ping(payload)) instanceof Pong, "no pong after the restart");
        pass("new gateway runtime authenticated with the stored EUKey %s, no re-assignment", fingerprint);

        begin("stop both runtimes");
        gateway.stop();
        gateway = null;
        server.stop();
        server = null;
        pass("stopped cleanly");
    }

    // ---- steps, checks, output ----

    private void begin(String what) {
        step++;
        System.out.printf("[%7.3f s] ....  %d. %s%n", seconds(), step, what);
    }

    private void pass(String fmt, Object... args) {
        System.out.printf("[%7.3f s] PASS  %d. %s%n", seconds(), step, String.format(fmt, args));
    }

    private static void check(boolean ok, String why) {
        if (!ok) {
            throw new Failure(why);
        }
    }

    private static CpnsException expectError(Runnable r) {
        try {
            r.run();
        } catch (CpnsException e) {
            return e;
        }
        throw new Failure("expected a refusal, but it succeeded");
    }

    private double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String why) {
            super(why);
        }
    }

    // ---- runtime helpers ----

    /** The export header of the API jar on our class path: the frameworks take the API from it. */
    private String apiExports() throws IOException {
        try (JarFile jar = new JarFile(home.resolve("lib").resolve("cpns-api.jar").toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Export-Package");
        }
    }

    private static Map<String, String> withEtc(Map<String, String> base, Path etc) {
        return Map.of("org.osgi.framework.system.packages.extra", base.get("org.osgi.framework.system.packages.extra"),
                "felix.fileinstall.dir", etc.toString());
    }

    /** A copy of etc/ROLE/config with some values changed, as an operator would edit it. */
    private Path config(String role, Map<String, Map<String, String>> changes) throws IOException {
        Path dir = root.resolve("etc-" + role);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(home.resolve("etc").resolve(role).resolve("config"))) {
            for (Path f : files.toList()) {
                List<String> lines = Files.readAllLines(f);
                Map<String, String> c = changes.getOrDefault(f.getFileName().toString(), Map.of());
                List<String> out = lines.stream().map(l -> {
                    int eq = l.indexOf('=');
                    return !l.startsWith("#") && eq > 0 && c.containsKey(l.substring(0, eq).trim())
                            ? l.substring(0, eq) + "=" + c.get(l.substring(0, eq).trim()) : l;
                }).toList();
                Files.write(dir.resolve(f.getFileName()), out);
            }
        }
        return dir;
    }

    private void awaitReady(Services s) throws InterruptedException {
        Health h = s.get(Health.class);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!h.report().ready()) {
            if (System.nanoTime() > deadline) {
                throw new Failure("runtime not ready: " + h.report().problems());
            }
            Thread.sleep(20);
        }
    }

    private void awaitState(Services gw, LinkState wanted) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ServerLink link = gw.find(ServerLink.class);
            if (link != null && link.status().state() == wanted) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new Failure("link is " + (link == null ? "gone" : link.status().state() + " (" + link.status().lastError() + ")")
                        + ", expected " + wanted);
            }
            Thread.sleep(20);
        }
    }

    private static SessionInfo serverSessionOf(Services srv) {
        return srv.get(ServerEndpoint.class).sessions().stream().filter(i -> i.entityId().equals(GATEWAY))
                .max(Comparator.comparing(SessionInfo::since))
                .orElseThrow(() -> new Failure("the server has no session of " + GATEWAY));
    }

    private static io.cpns.api.message.Message call(Services gw, io.cpns.api.message.Message m) {
        try {
            return gw.get(ServerLink.class).request(m, Duration.ofSeconds(10)).toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof CpnsException c ? c : e;
        }
    }

    private static Bundle bundle(BundleContext ctx, String bsn) {
        return Arrays.stream(ctx.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new Failure("bundle " + bsn + " not installed"));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Services of one framework, looked up when needed (a bundle update replaces them). */
    private record Services(BundleContext ctx) {
        <T> T find(Class<T> type) {
            var ref = ctx.getServiceReference(type);
            return ref == null ? null : ctx.getService(ref);
        }

        <T> T get(Class<T> type) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            T t;
            while ((t = find(type)) == null) {
                if (System.nanoTime() > deadline) {
                    throw new Failure("service " + type.getSimpleName() + " not available");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Failure("interrupted");
                }
            }
            return t;
        }
    }
}
