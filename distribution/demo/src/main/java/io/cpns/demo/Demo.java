package io.cpns.demo;

import static io.cpns.demo.DemoSteps.check;
import static io.cpns.demo.DemoSteps.expectError;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.UserRegistry;
import io.cpns.demo.DemoSteps.Failure;
import io.cpns.demo.Runtimes.Services;
import io.cpns.launcher.CpnsRuntime;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.Bundle;

/**
 * {@code bin/cpns-demo}: a CPNS Server and a PN GW, each its own OSGi framework with its own data,
 * configuration and bundles, talking over loopback, and PNEs (the PNE SDK) on the IP PAN and a
 * serial line. Walks the lifecycle step by step, verifies each step, exits 0 only if all passed.
 */
final class Demo {
    private static final String USER = "alice";
    private static final String GATEWAY = "gw-demo";

    private final Path home;
    private final Path root;
    private final DemoSteps steps = new DemoSteps();
    private final char[] password = ("demo-" + Long.toHexString(new SecureRandom().nextLong())).toCharArray();
    private CpnsRuntime server;
    private CpnsRuntime gateway;
    private PneDemo pnes;
    private UpdateDemo updates;
    private String rootKeys;

    Demo(Path home) {
        this.home = home;
        this.root = home.resolve("data").resolve("demo");
    }

    int run() throws Exception {
        System.out.println("CPNS demo: a CPNS Server and a PN GW, each its own OSGi runtime, and PNEs on two PANs, over loopback");
        System.out.println("logs: " + root.resolve("server/log/cpns.log") + ", " + root.resolve("gateway/log/cpns.log") + "\n");
        try {
            Runtimes.deleteTree(root);
            pnes = new PneDemo(steps, root, GATEWAY, USER, password);
            updates = new UpdateDemo(steps, home, root, GATEWAY, pnes);
            lifecycle();
            System.out.printf("%nAll %d steps verified in %.2f s%s.%n", steps.count() - steps.skipped(), steps.seconds(),
                    steps.skipped() == 0 ? "" : " (" + steps.skipped() + " shown as SKIP, with the reason)");
            return 0;
        } catch (Failure | CpnsException | IllegalStateException e) {
            steps.fail(e.getMessage());
            System.out.println("\nSee the logs above for details.");
            return 1;
        } finally {
            if (pnes != null) {
                pnes.close();
            }
            if (gateway != null) {
                gateway.stop();
            }
            if (server != null) {
                server.stop();
            }
        }
    }

    private void lifecycle() throws Exception {
        Services srv = startServer();
        rootKeys = updates.rootKey();
        Path gwEtc = gatewayEtc(srv);
        Services gw = startGateway(gwEtc);
        enrolGateway(srv, gw);
        pnes.discovery();
        pnes.pneInitiated(gw, srv);
        pnes.gatewayInitiated(gw, srv);
        pnes.relay();
        new GroupDemo(steps, pnes, USER).run(gw, srv);
        hotSwapLink(srv, gw);
        pnes.gwPnHotSwap(gateway.framework().getBundleContext(), gw);
        updates.run(gw, srv, gateway.framework().getBundleContext(), server.framework().getBundleContext());
        gw = restartGateway(srv, gwEtc);
        pnes.afterRestart(gw);
        srv = restartServer(srv, gw);

        steps.begin("stop both runtimes");
        pnes.close();
        gateway.stop();
        gateway = null;
        server.stop();
        server = null;
        steps.pass("stopped cleanly");
    }

    private Services startServer() throws Exception {
        steps.begin("start the CPNS Server (embedded H2 database, generated development PKI)");
        Path etc = serverEtc("0");
        server = CpnsRuntime.start(home, "server", root.resolve("server"), Runtimes.apiFromClassPath(home, etc), Set.of());
        Services srv = new Services(server.framework().getBundleContext());
        Runtimes.awaitReady(srv);
        ServerEndpoint endpoint = srv.get(ServerEndpoint.class);
        pnes.operatorCa(endpoint.generatedOperatorCa().orElseThrow(() -> new Failure("the server generated no operator CA")));
        steps.pass("CPNS Server %s listening on %s", endpoint.serverId(), endpoint.listenAddress());
        return srv;
    }

    /**
     * A restart of the whole Server runtime, on the port it had (the PN GW is configured with it):
     * SK_PNE and its counters are sealed in its database (D89), so every PNE's relay goes on
     * in the PN it had, with no new PN Establishment.
     */
    private Services restartServer(Services srv, Services gw) throws Exception {
        steps.begin("restart the CPNS Server runtime: the PNEs' relays work without a new PN Establishment (SK_PNE kept sealed)");
        int port = srv.get(ServerEndpoint.class).listenAddress().getPort();
        Map<String, java.time.Instant> pnsBefore = pnes.serverPns(srv);
        Instant sessionBefore = serverSessionOf(srv).since();
        server.stop();
        Path etc = serverEtc(String.valueOf(port));
        server = CpnsRuntime.start(home, "server", root.resolve("server"), Runtimes.apiFromClassPath(home, etc), Set.of());
        Services again = new Services(server.framework().getBundleContext());
        Runtimes.awaitReady(again);
        awaitNewSession(again, sessionBefore);
        Runtimes.awaitLink(gw, LinkState.AUTHENTICATED);
        int relays = pnes.relaysAfterServerRestart(again);
        check(pnes.serverPns(again).equals(pnsBefore), "the Server's PNs changed across its restart: " + pnes.serverPns(again)
                + " before " + pnsBefore);
        steps.pass("new Server runtime on port %d; %d PNEs relayed in the PNs they had (%s), no PN established anew", port, relays,
                String.join(", ", pnsBefore.keySet()));
        return again;
    }

    private Path serverEtc(String port) throws java.io.IOException {
        return Runtimes.config(home, root.resolve("etc-server"), "server", Map.of(
                "cpns.server.endpoint.cfg", Map.of("port", port),
                "cpns.server.users.cfg", Map.of("argon2MemoryKiB", "8192", "argon2Iterations", "1"), // many PNEs enrol below
                "cpns.server.artifacts.cfg", Map.of("port", "0")));
    }

    private Path gatewayEtc(Services srv) throws Exception {
        ServerEndpoint endpoint = srv.get(ServerEndpoint.class);
        Map<String, Map<String, String>> changes = new HashMap<>(pnes.gatewayConfig());
        changes.put("cpns.gw.identity.cfg", Map.of("gatewayId", GATEWAY));
        changes.put("cpns.gw.link.cfg", Map.of("serverPort", String.valueOf(endpoint.listenAddress().getPort()),
                "operatorCaFile", endpoint.generatedOperatorCa().orElseThrow().toString(), "keepaliveSeconds", "5", "backoffMaxMillis", "2000"));
        changes.put("cpns.gw.update.cfg", Map.of("trialSeconds", "1")); // 60 s by default: the demo's releases are watched 1 s
        return Runtimes.config(home, root.resolve("etc-gateway"), "gateway", changes);
    }

    private Services startGateway(Path etc) throws Exception {
        steps.begin("start the PN GW (no EUKey yet) with its IP and serial PAN adapters");
        gateway = CpnsRuntime.start(home, "gateway", root.resolve("gateway"), gatewayProperties(etc), Set.of());
        Services gw = new Services(gateway.framework().getBundleContext());
        Runtimes.awaitReady(gw);
        check(gw.get(ServerLink.class).status().state() == LinkState.UNASSIGNED, "link should wait for an EUKey");
        steps.pass("PN GW %s up, link %s", GATEWAY, gw.get(ServerLink.class).status().state());
        return gw;
    }

    private void enrolGateway(Services srv, Services gw) throws Exception {
        steps.begin("register CPNS User '" + USER + "' with the Server (TS 5.3.1)");
        srv.get(UserRegistry.class).register(UserId.of(USER), password.clone());
        check(srv.get(UserRegistry.class).list().contains(UserId.of(USER)), "user not listed");
        steps.pass("user %s registered (password stored as an Argon2id hash)", USER);

        steps.begin("EUKey assignment with a wrong password is refused");
        CpnsException wrong = expectError(() -> gw.get(GatewayEnrolment.class).assignEuKey(USER, "not-the-password".toCharArray()));
        check(wrong.code() == ErrorCode.AUTH_FAILED, "expected AUTH_FAILED, got " + wrong.code());
        check(!gw.get(GatewayEnrolment.class).hasEuKey() && srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).isEmpty(),
                "a key was assigned anyway");
        steps.pass("refused: %s", wrong.getMessage());

        steps.begin("assign the PN GW's EUKey over bootstrap TLS (operator CA + User ID/password, TS 5.3.1)");
        gw.get(GatewayEnrolment.class).assignEuKey(USER, password.clone());
        EntityRecord record = srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow(() -> new Failure("server has no entity"));
        String fingerprint = gw.get(ServerLink.class).status().euKeyFingerprint();
        check(record.euKeyFingerprint().equals(fingerprint), "gateway and server keys differ");
        check(record.owner().equals(UserId.of(USER)), "entity stored with the wrong user");
        steps.pass("EUKey %s stored encrypted on both sides, with Entity ID %s and User ID %s", fingerprint, GATEWAY, USER);

        steps.begin("mutual authentication: PSK-TLS 1.3 with the EUKey, then the message-level handshake (TS 5.3.3.1.1)");
        Runtimes.awaitLink(gw, LinkState.AUTHENTICATED);
        SessionInfo s = serverSessionOf(srv);
        check(s.userId().equals(USER) && s.tlsMode().equals("psk"), "server sees " + s);
        steps.pass("both sides authenticated; server sees %s of %s over %s TLS, suite %s", s.entityId(), s.userId(), s.tlsMode(), s.suite());

        steps.begin("exchange protected messages (MAC + encryption with the session key)");
        byte[] payload = new byte[16];
        new SecureRandom().nextBytes(payload);
        check(Arrays.equals(((Pong) call(gw, new Ping(payload))).data(), payload), "ping payload came back different");
        check(((EntityInfo) call(gw, new EntityInfoRequest(GATEWAY))).userId().equals(USER), "entity info for the wrong user");
        SessionInfo after = serverSessionOf(srv);
        check(after.messagesIn() >= 2 && after.messagesOut() >= 2, "server counted " + after.messagesIn() + " messages");
        steps.pass("ping/pong and entity.info verified; server session counted %d in / %d out", after.messagesIn(), after.messagesOut());

        steps.begin("a second EUKey assignment is refused (TS 5.3.1 'SHALL NOT happen')");
        CpnsException again = expectError(() -> gw.get(GatewayEnrolment.class).assignEuKey(USER, password.clone()));
        check(again.code() == ErrorCode.ALREADY_ASSIGNED, "expected ALREADY_ASSIGNED, got " + again.code());
        steps.pass("refused: %s", again.code());
    }

    private void hotSwapLink(Services srv, Services gw) throws Exception {
        steps.begin("hot swap: update the gw-link bundle; the stored EUKey is reused, PNE links stay up");
        String fingerprint = gw.get(ServerLink.class).status().euKeyFingerprint();
        Instant assigned = srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().assignedAt();
        Instant firstSession = serverSessionOf(srv).since();
        Map<String, Instant> pneLinks = pnes.linkTimes(gw);
        Bundle link = Runtimes.bundle(gateway.framework().getBundleContext(), "io.cpns.gw.link");
        long before = link.getLastModified();
        link.update();
        check(link.getLastModified() > before && link.getState() == Bundle.ACTIVE, "gw-link was not updated");
        Runtimes.awaitLink(gw, LinkState.AUTHENTICATED);
        check(gw.get(ServerLink.class).status().euKeyFingerprint().equals(fingerprint), "EUKey changed across the update");
        check(srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().assignedAt().equals(assigned), "new key assigned");
        awaitNewSession(srv, firstSession);
        check(call(gw, new Ping(new byte[] {1})) instanceof Pong, "no pong after the update");
        check(pnes.linkTimes(gw).equals(pneLinks), "a PNE link was dropped by the gw-link update");
        steps.pass("gw-link re-authenticated with the stored EUKey %s; %d PNE links untouched", fingerprint, pneLinks.size());
    }

    private Services restartGateway(Services srv, Path etc) throws Exception {
        steps.begin("restart the PN GW runtime: it reconnects with the EUKey stored encrypted on disk, and boots the committed release");
        String fingerprint = new Services(gateway.framework().getBundleContext()).get(ServerLink.class).status().euKeyFingerprint();
        Instant assigned = srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().assignedAt();
        Instant beforeRestart = serverSessionOf(srv).since();
        gateway.stop();
        gateway = CpnsRuntime.start(home, "gateway", root.resolve("gateway"), gatewayProperties(etc), Set.of());
        Services gw = new Services(gateway.framework().getBundleContext());
        Runtimes.awaitReady(gw);
        Runtimes.awaitLink(gw, LinkState.AUTHENTICATED);
        Bundle pn = Runtimes.bundle(gateway.framework().getBundleContext(), "io.cpns.gw.pn");
        check(pn.getVersion().toString().equals(UpdateDemo.GOOD_VERSION) && pn.getState() == Bundle.ACTIVE,
                "gw-pn " + pn.getVersion() + " after the restart, not release 1's");
        check(gw.get(ServerLink.class).status().euKeyFingerprint().equals(fingerprint), "EUKey changed across the restart");
        check(srv.get(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().assignedAt().equals(assigned), "new key assigned");
        awaitNewSession(srv, beforeRestart);
        check(call(gw, new Ping(new byte[] {2})) instanceof Pong, "no pong after the restart");
        steps.pass("new gateway runtime authenticated with the stored EUKey %s, no re-assignment; gw-pn %s of the committed release 1 "
                + "booted from its set", fingerprint, UpdateDemo.GOOD_VERSION);
        return gw;
    }

    /** The launcher configuration of the PN GW: an installed one pins the root key in etc/gateway/role.properties. */
    private Map<String, String> gatewayProperties(Path etc) throws java.io.IOException {
        Map<String, String> p = new HashMap<>(Runtimes.apiFromClassPath(home, etc));
        p.put("cpns.update.rootKeys", rootKeys);
        return p;
    }

    /**
     * The Server's newest authenticated session of the gateway. The gateway may see its link
     * authenticated a moment before the Server lists the session (the Server sends its last
     * handshake message, then records who it is): waited for.
     */
    private static SessionInfo serverSessionOf(Services srv) {
        Runtimes.await("the Server's session of " + GATEWAY, () -> newestSession(srv) != null, () -> "none");
        return newestSession(srv);
    }

    private static SessionInfo newestSession(Services srv) {
        return srv.get(ServerEndpoint.class).sessions().stream().filter(i -> i.entityId().equals(GATEWAY))
                .max(Comparator.comparing(SessionInfo::since)).orElse(null);
    }

    private static void awaitNewSession(Services srv, Instant after) {
        Runtimes.await("a new session of " + GATEWAY + " on the Server", () -> {
            SessionInfo s = newestSession(srv);
            return s != null && s.since().isAfter(after);
        }, () -> String.valueOf(newestSession(srv)));
    }

    private static Message call(Services gw, Message m) {
        try {
            return gw.get(ServerLink.class).request(m, Duration.ofSeconds(10)).toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof CpnsException c ? c : e;
        }
    }
}
