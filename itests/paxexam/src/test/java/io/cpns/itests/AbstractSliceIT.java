package io.cpns.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.EuKeyAssignRequest;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.UserRegistry;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.session.tls.ServerCertificateVerifier;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Before;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.LoggerFactory;

/**
 * Issue 2's vertical slice in one framework booted with the distribution's bundles: a CPNS Server
 * and a PN GW talking over real loopback sockets. The steps run in order, like the spec's flow;
 * subclasses choose the Server's database.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public abstract class AbstractSliceIT {
    static final String USER = "alice";
    static final char[] PASSWORD = "alice-secret-1".toCharArray();
    static final String GATEWAY = "gw-itest";

    @Inject
    BundleContext ctx;
    Osgi osgi;

    /** The configurations every slice needs; the server's port is fixed so it survives a bundle restart. */
    static Map<String, Map<String, Object>> configs(Map<String, Object> store) {
        Map<String, Map<String, Object>> c = new HashMap<>();
        c.put("cpns.server.endpoint", Map.of("port", freePort(), "handshakeTimeoutMillis", 5000));
        c.put("cpns.gw.identity", Map.of("gatewayId", GATEWAY));
        c.put("cpns.gw.link", Map.of("keepaliveSeconds", 2, "backoffInitialMillis", 100,
                "backoffMaxMillis", 500, "requestTimeoutMillis", 5000));
        if (!store.isEmpty()) {
            c.put("cpns.server.store", store);
        }
        return c;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Before
    public void setUp() {
        osgi = new Osgi(ctx);
    }

    private ServerLink link() {
        return osgi.service(ServerLink.class);
    }

    private GatewayEnrolment enrolment() {
        return osgi.service(GatewayEnrolment.class);
    }

    @Test
    public void s01_everyBundleActive_everyComponentSatisfied() {
        osgi.awaitReady();
        for (Bundle b : ctx.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            assertEquals(b.getSymbolicName() + " state", fragment ? Bundle.RESOLVED : Bundle.ACTIVE, b.getState());
        }
        ServiceComponentRuntime scr = osgi.service(ServiceComponentRuntime.class);
        int components = 0;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                components++;
                assertTrue(d.name + " is in state " + c.state,
                        c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED);
            }
        }
        assertTrue("components found: " + components, components >= 12);
        // a clean start logs no ERROR (SCR's "Circular reference" between server-groups and server-pn did, at every start)
        List<String> errors = new ArrayList<>();
        LogReaderService log = osgi.service(LogReaderService.class);
        for (Enumeration<LogEntry> e = log.getLog(); e.hasMoreElements(); ) {
            LogEntry entry = e.nextElement();
            if (entry.getLogLevel() == LogLevel.ERROR) {
                errors.add(entry.getBundle().getSymbolicName() + ": " + entry.getMessage());
            }
        }
        assertEquals("ERROR entries since start", List.of(), errors);
    }

    /**
     * server-pn (re)started while server-groups runs: server-groups' component, satisfied by the new PnRegistry,
     * was obtained by server-pn's activation while it was itself activating (SCR logged "Circular reference" and
     * "Service factory returned null" at ERROR; at a first start when the threads ran in this order).
     */
    @Test
    public void s01b_serverPnStartedWhileServerGroupsRuns_logsNoError() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        String marker = "s01b done " + System.nanoTime();
        CountDownLatch seen = new CountDownLatch(1);
        LogListener listener = entry -> {
            if (entry.getMessage().equals(marker)) {
                seen.countDown();
            } else if (entry.getLogLevel() == LogLevel.ERROR) {
                errors.add(entry.getBundle().getSymbolicName() + ": " + entry.getMessage());
            }
        };
        LogReaderService log = osgi.service(LogReaderService.class);
        log.addLogListener(listener);
        try {
            Bundle pn = osgi.bundle("io.cpns.server.pn");
            pn.stop();
            pn.start();
            osgi.awaitReady();
            osgi.service(GroupRegistry.class).toString(); // its component activated, if it was not yet
            // entries reach listeners in order: once the marker is here, every entry before it is too
            osgi.service(LoggerFactory.class).getLogger("s01b").audit(marker);
            assertTrue("marker delivered", seen.await(30, TimeUnit.SECONDS));
        } finally {
            log.removeLogListener(listener);
        }
        assertEquals("ERROR entries", List.of(), errors);
    }

    @Test
    public void s02_gatewayWithoutEuKey_waitsForAssignment_andRefusesRequests() throws Exception {
        assertEquals(LinkState.UNASSIGNED, link().status().state());
        assertFalse(enrolment().hasEuKey());
        CpnsException e = expect(() -> osgi.call(new Ping(null)));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        // the operator gives the gateway the Server's operator CA (generated by the development PKI)
        Path ca = osgi.service(ServerEndpoint.class).generatedOperatorCa().orElseThrow();
        osgi.configure("cpns.gw.link", Map.of("operatorCaFile", ca.toString(),
                "serverPort", osgi.service(ServerEndpoint.class).listenAddress().getPort()));
        osgi.service(UserRegistry.class).register(UserId.of(USER), PASSWORD.clone());
    }

    @Test
    public void s03_wrongPassword_isRejected_andNothingIsAssigned() {
        CpnsException e = expect(() -> enrolment().assignEuKey(USER, "guessed-password".toCharArray()));
        assertEquals(ErrorCode.AUTH_FAILED, e.code());
        assertFalse(enrolment().hasEuKey());
        assertTrue(osgi.service(EntityRegistry.class).find(EntityId.of(GATEWAY)).isEmpty());
    }

    @Test
    public void s04_assignment_storesTheEuKeyWithEntityIdAndUserId() throws Exception {
        enrolment().assignEuKey(USER, PASSWORD.clone());
        assertTrue(enrolment().hasEuKey());
        EntityRecord r = osgi.service(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow();
        assertEquals(UserId.of(USER), r.owner());
        assertEquals(EntityKind.GATEWAY, r.kind());
        assertEquals(r.euKeyFingerprint(), link().status().euKeyFingerprint());
        // at rest on the gateway: one encrypted file, the key not in it
        byte[] key = osgi.service(EntityRegistry.class).euKey(EntityId.of(GATEWAY)).orElseThrow();
        Path file = Path.of(ctx.getProperty("cpns.data")).resolve("keystore").resolve("euk." + GATEWAY + ".sec");
        byte[] onDisk = Files.readAllBytes(file);
        assertFalse("EUKey in the clear on disk", latin1(onDisk).contains(latin1(key)));
    }

    @Test
    public void s05_mutualAuthentication_thenProtectedMessages() {
        osgi.awaitLink(LinkState.AUTHENTICATED);
        byte[] payload = "hello server".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(payload, ((Pong) osgi.call(new Ping(payload))).data());
        assertEquals(USER, ((EntityInfo) osgi.call(new EntityInfoRequest(GATEWAY))).userId());
        SessionInfo s = serverSession();
        assertEquals(USER, s.userId());
        assertEquals("psk", s.tlsMode());
        assertEquals("modern-v1", s.suite());
        assertTrue(s.messagesIn() >= 2);
    }

    @Test
    public void s06_secondAssignment_isRefused_byTheGateway_andByTheServer() throws Exception {
        String before = link().status().euKeyFingerprint();
        assertEquals(ErrorCode.ALREADY_ASSIGNED, expect(() -> enrolment().assignEuKey(USER, PASSWORD.clone())).code());
        // a client that ignores the rule and asks the Server directly over bootstrap TLS
        ServerEndpoint ep = osgi.service(ServerEndpoint.class);
        Socket socket = new Socket(ep.listenAddress().getAddress(), ep.listenAddress().getPort());
        TlsConnection tls = TlsClientEndpoint.certificate(socket,
                ServerCertificateVerifier.fromFile(ep.generatedOperatorCa().orElseThrow(), "localhost"), 5000, 5000);
        try (MessageChannel ch = new MessageChannel(new MessageCodec(), tls.in(), tls.out(), 65536, tls)) {
            ch.send(new Envelope(EntityId.of(GATEWAY), ep.serverId(), 1, new EuKeyAssignRequest(GATEWAY, EntityKind.GATEWAY,
                    USER, new String(PASSWORD).getBytes(StandardCharsets.UTF_8))));
            assertEquals(ErrorCode.ALREADY_ASSIGNED, ((ErrorMessage) ch.receive().body()).errorCode());
        }
        assertEquals(before, osgi.service(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().euKeyFingerprint());
    }

    @Test
    public void s07_authorization_anotherUsersEntity_isForbidden_unknownEntity_andTheSessionStays() {
        osgi.service(UserRegistry.class).register(UserId.of("bob"), "bob-secret-12".toCharArray());
        osgi.service(EntityRegistry.class).assignEuKey(EntityId.of("gw-bob"), EntityKind.GATEWAY, UserId.of("bob"));
        long sessions = link().status().sessions();
        assertEquals(ErrorCode.FORBIDDEN, expect(() -> osgi.call(new EntityInfoRequest("gw-bob"))).code());
        assertEquals(ErrorCode.UNKNOWN_ENTITY, expect(() -> osgi.call(new EntityInfoRequest("gw-nobody"))).code());
        // refusals of a request leave the session up: same session, next request answered
        assertTrue(osgi.call(new Ping(null)) instanceof Pong);
        assertEquals(sessions, link().status().sessions());
        assertEquals(LinkState.AUTHENTICATED, link().status().state());
    }

    @Test
    public void s08_linkBundleUpdate_keepsTheEuKey_andReauthenticates() throws Exception {
        String fingerprint = link().status().euKeyFingerprint();
        Instant assigned = osgi.service(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().assignedAt();
        Instant firstSession = serverSession().since();
        Bundle linkBundle = osgi.bundle("io.cpns.gw.link");
        long modified = linkBundle.getLastModified();
        linkBundle.update();
        assertNotEquals(modified, linkBundle.getLastModified());
        osgi.awaitLink(LinkState.AUTHENTICATED);
        assertEquals(fingerprint, link().status().euKeyFingerprint());
        assertEquals(assigned, osgi.service(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow().assignedAt());
        // the old session may be gone before the Server lists the new one: absent is "not yet"
        Osgi.eventually("a new server session", () -> osgi.service(ServerEndpoint.class).sessions().stream()
                .anyMatch(i -> i.entityId().equals(GATEWAY) && i.since().isAfter(firstSession)), () -> "");
        assertTrue(osgi.call(new Ping(null)) instanceof Pong);
    }

    @Test
    public void s09_serverGoesAway_linkBacksOff_localRuntimeKeepsWorking_thenReconnects() throws Exception {
        Bundle endpoint = osgi.bundle("io.cpns.server.endpoint");
        endpoint.stop();
        Osgi.eventually("link down", () -> link().status().state() != LinkState.AUTHENTICATED, () -> "");
        assertEquals(ErrorCode.UNAVAILABLE, expect(() -> osgi.call(new Ping(null))).code());
        Osgi.sleep(1500); // several reconnect attempts while the server is away
        assertTrue(List.of(LinkState.BACKOFF, LinkState.CONNECTING).contains(link().status().state()));
        assertTrue(link().status().lastError(), !link().status().lastError().isEmpty());
        assertTrue("gateway keeps its key locally", enrolment().hasEuKey());
        endpoint.start();
        osgi.awaitLink(LinkState.AUTHENTICATED);
        assertTrue(osgi.call(new Ping(null)) instanceof Pong);
    }

    @Test
    public void s10_keystoreBundleUpdate_keepsEveryKey() throws Exception {
        String fingerprint = link().status().euKeyFingerprint();
        osgi.bundle("io.cpns.keystore").update();
        osgi.awaitLink(LinkState.AUTHENTICATED);
        assertEquals(fingerprint, link().status().euKeyFingerprint());
        assertTrue(osgi.call(new Ping(null)) instanceof Pong);
    }

    /** TS §5.3.2 on this database, through the operator's shell; the groups outlive an update of their bundle. */
    @Test
    public void s11_serviceGroups_keyEpochsFollowMembership_andSurviveABundleUpdate() throws Exception {
        osgi.service(EntityRegistry.class).assignEuKey(EntityId.of("pne-sg"), EntityKind.PNE, UserId.of(USER));
        assertTrue(osgi.shell("server:groupadd sg-slice " + USER).contains("Group Key epoch 1"));
        assertTrue(osgi.shell("server:groupjoin sg-slice pne-sg").contains("epoch 2"));
        assertTrue(osgi.shell("server:groupupdate sg-slice").contains("epoch 3"));
        osgi.bundle("io.cpns.server.groups").update();
        osgi.awaitReady();
        io.cpns.api.server.ServiceGroup g = osgi.service(io.cpns.api.server.GroupRegistry.class).group("sg-slice").orElseThrow();
        assertEquals(3, g.epoch());
        assertEquals(java.util.List.of(EntityId.of("pne-sg")), g.members());
        assertTrue(osgi.shell("server:groupexpel sg-slice pne-sg").contains("epoch 4"));
        assertTrue(osgi.shell("server:groups").matches("(?s).*\\nsg-slice\\s+" + USER + "\\s+0\\s+4\\s+[0-9a-f]{16}\\s.*"));
        assertTrue(osgi.shell("server:groupdel sg-slice").contains("deleted"));
    }

    /** Push (seed 003 B.2.1.2) rides on the gateway's own session: the Server asks, the gateway answers. */
    @Test
    public void s12_theServerRequestsOnTheGatewaysSession_pingAnswered_unknownTypeUnavailable() throws Exception {
        ServerEndpoint server = osgi.service(ServerEndpoint.class);
        Osgi.eventually("the gateway's session on the Server", () -> server.sessions().stream()
                .anyMatch(s -> s.entityId().equals(GATEWAY)), () -> "");
        java.time.Duration t = java.time.Duration.ofSeconds(10);
        Message answer = server.request(EntityId.of(GATEWAY), new Ping(new byte[] {1, 2}), t).toCompletableFuture().get();
        assertArrayEquals(new byte[] {1, 2}, ((Pong) answer).data());
        try {
            server.request(EntityId.of(GATEWAY), new EntityInfoRequest(GATEWAY), t).toCompletableFuture().get();
            fail("a request type without a handler on the gateway was answered");
        } catch (java.util.concurrent.ExecutionException e) {
            assertEquals(ErrorCode.UNAVAILABLE, ((CpnsException) e.getCause()).code());
        }
        assertTrue("the gateway's own requests still flow", osgi.call(new Ping(null)) instanceof Pong);
    }

    // ---- helpers ----

    private SessionInfo serverSession() {
        return osgi.service(ServerEndpoint.class).sessions().stream().filter(i -> i.entityId().equals(GATEWAY))
                .max(java.util.Comparator.comparing(SessionInfo::since)).orElseThrow(() -> new AssertionError("no server session"));
    }

    static CpnsException expect(Runnable r) {
        try {
            r.run();
        } catch (CpnsException e) {
            return e;
        }
        fail("expected a CpnsException");
        return null;
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
