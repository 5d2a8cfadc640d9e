package io.cpns.server.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.EuKeyAssignRequest;
import io.cpns.api.message.EuKeyAssignResponse;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Protected;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.api.server.RequestHandler;
import io.cpns.codec.MessageChannel;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.server.registry.EntityRequests;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.testkit.ServiceObjects;
import java.util.HexFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Server endpoint over real sockets: bootstrap, authentication, protection, and bad input. */
class EndpointTest {
    @TempDir
    Path dir;
    ServerFixture f;
    static final EntityId SERVER = ServerFixture.SERVER;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private static ErrorCode errorOf(Envelope e) {
        return ((ErrorMessage) e.body()).errorCode();
    }

    /** After a fatal error the server closes: the next read sees end of stream or a reset. */
    private static void assertClosed(MessageChannel ch) {
        try {
            assertNull(ch.receive());
        } catch (IOException expected) {
            // reset by peer: closed as well
        }
    }

    // --- bootstrap: EUKey assignment to a PN GW (TS §5.3.1) ---

    private Envelope assign(MessageChannel ch, String gw, String user, String password) throws IOException {
        ch.send(new Envelope(EntityId.of(gw), SERVER, 1, new EuKeyAssignRequest(gw, EntityKind.GATEWAY, user,
                password.getBytes(StandardCharsets.UTF_8))));
        return ch.receive();
    }

    @Test
    void bootstrap_rightPassword_assignsTheEuKey_storedWithEntityAndUser() throws Exception {
        f.users.register(UserId.of("alice"), "alice-password".toCharArray());
        try (MessageChannel ch = f.bootstrap()) {
            EuKeyAssignResponse r = (EuKeyAssignResponse) assign(ch, "gw-1", "alice", "alice-password").body();
            assertArrayEquals(r.euKey(), f.entities.euKey(EntityId.of("gw-1")).orElseThrow());
            assertEquals(UserId.of("alice"), f.entities.find(EntityId.of("gw-1")).orElseThrow().owner());
            assertClosed(ch); // one assignment per bootstrap connection
        }
        assertFalse(f.log.all().contains("alice-password"));
    }

    @Test
    void bootstrap_wrongPassword_isAuthFailed_andNothingIsAssigned() throws Exception {
        f.users.register(UserId.of("alice"), "alice-password".toCharArray());
        try (MessageChannel ch = f.bootstrap()) {
            assertEquals(ErrorCode.AUTH_FAILED, errorOf(assign(ch, "gw-1", "alice", "guess")));
            assertClosed(ch);
        }
        assertTrue(f.entities.find(EntityId.of("gw-1")).isEmpty());
    }

    @Test
    void bootstrap_afterRepeatedWrongPasswords_evenTheRightOneIsRateLimited_andEachRefusalIsOneThrottledLine() throws Exception {
        f.close();
        f = new ServerFixture(dir, Map.of(), Map.of("backoffInitialMillis", 60_000)); // a wait no slow machine outlasts
        f.users.register(UserId.of("alice"), "alice-password".toCharArray());
        for (int i = 0; i < 6; i++) { // five free, the sixth starts the wait
            try (MessageChannel ch = f.bootstrap()) {
                assertEquals(ErrorCode.AUTH_FAILED, errorOf(assign(ch, "gw-1", "alice", "guess-" + i)));
            }
        }
        for (int i = 0; i < 20; i++) {
            try (MessageChannel ch = f.bootstrap()) {
                Envelope e = assign(ch, "gw-1", "alice", "alice-password");
                assertEquals(ErrorCode.RATE_LIMITED, errorOf(e), "refused before the password is checked");
                assertEquals("too many failed attempts; try again in 60 s", ((ErrorMessage) e.body()).detail());
                assertClosed(ch);
            }
        }
        assertTrue(f.entities.find(EntityId.of("gw-1")).isEmpty());
        long lines = f.log.all().lines().filter(l -> l.contains("from 127.0.0.1")).count();
        assertEquals(5, lines, "26 refusals from one address, five lines a minute: " + f.log.all());
        assertFalse(f.log.all().contains("closed: AUTH_FAILED") || f.log.all().contains("closed: RATE_LIMITED"),
                "the registry's line is the only one per refusal");
    }

    @Test
    void bootstrap_secondAssignment_afterTheGatewayAuthenticated_isAlreadyAssigned_andTheKeyIsUnchanged() throws Exception {
        byte[] first = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", first)) {
            assertTrue(c.request(new Ping(null)) instanceof Pong); // first use confirms the assignment
        }
        assertTrue(f.entities.find(EntityId.of("gw-1")).orElseThrow().confirmed());
        try (MessageChannel ch = f.bootstrap()) {
            assertEquals(ErrorCode.ALREADY_ASSIGNED, errorOf(assign(ch, "gw-1", "alice", "password-of-alice")));
        }
        assertArrayEquals(first, f.entities.euKey(EntityId.of("gw-1")).orElseThrow());
    }

    @Test
    void bootstrap_replyLost_theOwnerReEnrols_andTheLostKeyNoLongerAuthenticates() throws Exception {
        byte[] lost = f.registerAndAssign("alice", "gw-1"); // assigned, but the gateway never got it
        byte[] key;
        try (MessageChannel ch = f.bootstrap()) {
            key = ((EuKeyAssignResponse) assign(ch, "gw-1", "alice", "password-of-alice").body()).euKey();
        }
        assertFalse(java.util.Arrays.equals(lost, key));
        assertThrows(IOException.class, () -> f.client("gw-1", lost)); // TLS refuses the old key
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            assertTrue(c.request(new Ping(null)) instanceof Pong);
        }
    }

    @Test
    void bootstrap_theServersOwnEntityId_isRefused() throws Exception {
        f.users.register(UserId.of("alice"), "alice-password".toCharArray());
        try (MessageChannel ch = f.bootstrap()) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, errorOf(assign(ch, "cpns-server", "alice", "alice-password")));
        }
        assertTrue(f.entities.find(SERVER).isEmpty());
    }

    /** Issue 12 §7: a refused assignment answers that request (its envelope id), not id 0. */
    @Test
    void bootstrap_refusals_carryTheRequestsEnvelopeId() throws Exception {
        f.users.register(UserId.of("alice"), "alice-password".toCharArray());
        try (MessageChannel ch = f.bootstrap()) {
            ch.send(new Envelope(EntityId.of("gw-1"), EntityId.of("gw-2"), 7, new EuKeyAssignRequest("gw-1", EntityKind.GATEWAY, "alice",
                    "alice-password".getBytes(StandardCharsets.UTF_8))));
            Envelope wrongDst = ch.receive();
            assertEquals(ErrorCode.INVALID_ARGUMENT, errorOf(wrongDst));
            assertEquals(7, wrongDst.id());
        }
        try (MessageChannel ch = f.bootstrap()) {
            ch.send(new Envelope(EntityId.of("gw-1"), SERVER, 8, new EuKeyAssignRequest("gw-1", EntityKind.GATEWAY, "alice",
                    "wrong-password".getBytes(StandardCharsets.UTF_8))));
            Envelope wrongPassword = ch.receive();
            assertEquals(ErrorCode.AUTH_FAILED, errorOf(wrongPassword));
            assertEquals(8, wrongPassword.id());
        }
    }

    @Test
    void bootstrap_theBroadcastId_isRefused() throws Exception {
        f.users.register(UserId.of("alice"), "alice-password".toCharArray());
        try (MessageChannel ch = f.bootstrap()) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, errorOf(assign(ch, EntityId.BROADCAST.value(), "alice", "alice-password")));
        }
        assertTrue(f.entities.find(EntityId.BROADCAST).isEmpty());
    }

    @Test
    void bootstrap_anythingButAssignment_isNotAuthenticated() throws Exception {
        try (MessageChannel ch = f.bootstrap()) {
            ch.send(new Envelope(EntityId.of("gw-1"), SERVER, 1, new Ping(null)));
            assertEquals(ErrorCode.NOT_AUTHENTICATED, errorOf(ch.receive()));
            assertClosed(ch);
        }
    }

    // --- the Server's own requests on a gateway's session (push, seed 003 B.2.1.2) ---

    @Test
    void serverRequest_toAConnectedGateway_isAnsweredOnItsSession_besideTheGatewaysOwnRequests() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = sessionOf("gw-1", key)) {
            var answer = f.endpoint.request(EntityId.of("gw-1"), new Ping(new byte[] {4}), java.time.Duration.ofSeconds(5))
                    .toCompletableFuture();
            Envelope pushed = c.secure.receive();
            assertEquals(SERVER, pushed.src());
            assertArrayEquals(new byte[] {4}, assertInstanceOf(Ping.class, pushed.body()).data());
            assertTrue(c.request(new Ping(null)) instanceof Pong, "the gateway's own request meanwhile");
            c.secure.send(pushed.reply(new Pong(new byte[] {4})));
            assertArrayEquals(new byte[] {4}, assertInstanceOf(Pong.class, answer.get(5, java.util.concurrent.TimeUnit.SECONDS)).data());
        }
    }

    @Test
    void serverRequest_answeredWithAnError_failsWithThatError_andTheSessionStays() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = sessionOf("gw-1", key)) {
            var answer = f.endpoint.request(EntityId.of("gw-1"), new Ping(null), java.time.Duration.ofSeconds(5)).toCompletableFuture();
            Envelope pushed = c.secure.receive();
            c.secure.send(pushed.reply(io.cpns.api.message.ErrorMessage.of(new CpnsException(ErrorCode.FORBIDDEN, "not here"))));
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> answer.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(ErrorCode.FORBIDDEN, ((CpnsException) e.getCause()).code());
            assertTrue(c.request(new Ping(null)) instanceof Pong);
        }
    }

    @Test
    void serverRequest_withoutASession_isUnavailable_andUnanswered_isTimeout() throws Exception {
        var none = f.endpoint.request(EntityId.of("gw-1"), new Ping(null), java.time.Duration.ofSeconds(1)).toCompletableFuture();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> none.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, ((CpnsException) e.getCause()).code());

        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = sessionOf("gw-1", key)) {
            var silent = f.endpoint.request(EntityId.of("gw-1"), new Ping(null), java.time.Duration.ofMillis(200)).toCompletableFuture();
            var t = assertThrows(java.util.concurrent.ExecutionException.class, () -> silent.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(ErrorCode.TIMEOUT, ((CpnsException) t.getCause()).code());
            Envelope late = c.secure.receive();
            c.secure.send(late.reply(new Pong(null))); // a late answer is dropped, not a protocol error
            assertTrue(c.request(new Ping(null)) instanceof Pong);
        }
    }

    @Test
    void sessionListener_isToldTheAuthenticatedPrincipal_andMaySendARequestAtOnce() throws Exception {
        java.util.concurrent.BlockingQueue<io.cpns.api.server.Principal> told = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.List<java.util.concurrent.CompletableFuture<io.cpns.api.message.Message>> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        f.endpoint.addSessionListener(who -> {
            told.add(who);
            // what the update component does: offer at once, from the listener
            sent.add(f.endpoint.request(who.entity(), new Ping(new byte[] {9}), java.time.Duration.ofSeconds(5)).toCompletableFuture());
        });
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            io.cpns.api.server.Principal p = told.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(new io.cpns.api.server.Principal(EntityId.of("gw-1"), io.cpns.api.EntityKind.GATEWAY, io.cpns.api.UserId.of("alice")), p);
            Envelope pushed = c.secure.receive();
            assertArrayEquals(new byte[] {9}, assertInstanceOf(Ping.class, pushed.body()).data());
            c.secure.send(pushed.reply(new Pong(new byte[] {9})));
            assertInstanceOf(Pong.class, sent.get(0).get(5, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(told.isEmpty(), "one authentication, one call");
    }

    /** A client whose session the Server has fully set up (it sends its confirm a moment before). */
    private ServerFixture.Client sessionOf(String id, byte[] key) throws Exception {
        ServerFixture.Client c = f.client(id, key);
        long end = System.nanoTime() + 5_000_000_000L;
        while (f.endpoint.sessions().stream().noneMatch(s -> s.entityId().equals(id)) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        return c;
    }

    // --- secure session (TS §5.3.3.1.1) ---

    @Test
    void session_mutualAuthentication_thenProtectedPing() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            assertArrayEquals(new byte[] {7}, ((Pong) c.request(new Ping(new byte[] {7}))).data());
            var info = f.endpoint.sessions().get(0);
            assertEquals("gw-1", info.entityId());
            assertEquals("alice", info.userId());
            assertEquals("psk", info.tlsMode());
        }
    }

    @Test
    void session_requestsAreAuthorizedByTheAuthenticatedUser() throws Exception {
        f.endpoint.addHandler(ServiceObjects.of(new EntityRequests(f.entities)), Map.of("cpns.message.type", "entity.info.req"));
        byte[] a = f.registerAndAssign("alice", "gw-a");
        f.registerAndAssign("bob", "gw-b");
        try (ServerFixture.Client c = f.client("gw-a", a)) {
            assertEquals("alice", ((EntityInfo) c.request(new EntityInfoRequest("gw-a"))).userId());
            ErrorMessage e = (ErrorMessage) c.request(new EntityInfoRequest("gw-b"));
            assertEquals(ErrorCode.FORBIDDEN, e.errorCode());
            assertEquals(ErrorCode.UNKNOWN_ENTITY, ((ErrorMessage) c.request(new EntityInfoRequest("gw-none"))).errorCode());
            // a refused request does not end the session
            assertArrayEquals(new byte[0], ((Pong) c.request(new Ping(null))).data());
        }
    }

    @Test
    void session_aResponseTypeSentAsARequest_isUnexpectedMessage_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            c.secure.send(new Envelope(c.id, SERVER, 9, new Pong(new byte[0])));
            // fatal, so sent unprotected: the secure channel raises it as the peer's error
            assertEquals(ErrorCode.UNEXPECTED_MESSAGE,
                    assertThrows(io.cpns.api.CpnsException.class, () -> c.secure.receive()).code());
            assertClosed(c.ch);
        }
    }

    @Test
    void session_aFailingHandler_isInternalError_andTheSessionStays() throws Exception {
        f.endpoint.addHandler(ServiceObjects.<RequestHandler>of((from, req) -> {
            throw new IllegalStateException("bug in a handler");
        }), Map.of("cpns.message.type", "entity.list.req"));
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            assertEquals(ErrorCode.INTERNAL, ((ErrorMessage) c.request(new io.cpns.api.message.EntityListRequest())).errorCode());
            assertTrue(c.request(new Ping(null)) instanceof Pong);
        }
    }

    /**
     * The endpoint bundle stopped (updated) while a handler works: the handler is not interrupted,
     * since an interrupt closes the FileChannel of an H2 write in progress and H2 then closes the
     * whole database (SliceH2IT.s09 failed with "The database has been closed" after a stop).
     */
    @Test
    void stop_whileAHandlerRuns_doesNotInterruptIt() throws Exception {
        java.util.concurrent.CountDownLatch inHandler = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        f.endpoint.addHandler(ServiceObjects.<RequestHandler>of((from, req) -> {
            inHandler.countDown();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
            }
            return new Pong(new byte[0]);
        }), Map.of("cpns.message.type", "entity.list.req"));
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            c.secure.send(new Envelope(c.id, SERVER, 77, new io.cpns.api.message.EntityListRequest()));
            assertTrue(inHandler.await(10, java.util.concurrent.TimeUnit.SECONDS));
            Thread stopping = new Thread(() -> {
                try {
                    f.endpoint.deactivate();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "scr-deactivate");
            stopping.start();
            // the stop waits for the handler, or (before the fix) interrupted it and ran on
            while (stopping.getState() != Thread.State.TIMED_WAITING && stopping.getState() != Thread.State.TERMINATED
                    && !interrupted.get()) {
                Thread.onSpinWait();
            }
            release.countDown();
            stopping.join(10_000L);
            assertFalse(interrupted.get(), "the handler was interrupted by the endpoint's stop");
        }
    }

    @Test
    void disconnect_closesTheEntitysSessions() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            c.request(new Ping(null));
            assertEquals(1, f.endpoint.disconnect(EntityId.of("gw-1")));
            assertClosed(c.ch);
        }
    }

    @Test
    void session_requestWithoutAHandler_isUnavailable_notFatal() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            assertEquals(ErrorCode.UNAVAILABLE, ((ErrorMessage) c.request(new EntityInfoRequest("gw-1"))).errorCode());
            assertTrue(c.request(new Ping(null)) instanceof Pong);
        }
    }

    @Test
    void session_wrongProof_isAuthFailed_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (MessageChannel ch = f.channel(TlsClientEndpoint.psk(f.dial(), "gw-1", key, 2000, 5000))) {
            ch.send(new Envelope(EntityId.of("gw-1"), SERVER, 1, new SessionHello(Suites.modern().name(), Randoms.bytes(32))));
            assertTrue(ch.receive().body() instanceof SessionChallenge);
            ch.send(new Envelope(EntityId.of("gw-1"), SERVER, 2, new SessionProof(Randoms.bytes(32))));
            assertEquals(ErrorCode.AUTH_FAILED, errorOf(ch.receive()));
            assertClosed(ch);
        }
    }

    @Test
    void session_helloClaimingAnotherEntity_isAuthFailed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        f.registerAndAssign("bob", "gw-2");
        try (MessageChannel ch = f.channel(TlsClientEndpoint.psk(f.dial(), "gw-1", key, 2000, 5000))) {
            ch.send(new Envelope(EntityId.of("gw-2"), SERVER, 1, new SessionHello(Suites.modern().name(), Randoms.bytes(32))));
            assertEquals(ErrorCode.AUTH_FAILED, errorOf(ch.receive()));
            assertClosed(ch);
        }
    }

    @Test
    void session_unknownSuite_isUnsupportedSuite() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (MessageChannel ch = f.channel(TlsClientEndpoint.psk(f.dial(), "gw-1", key, 2000, 5000))) {
            ch.send(new Envelope(EntityId.of("gw-1"), SERVER, 1, new SessionHello("rot13-v1", Randoms.bytes(32))));
            assertEquals(ErrorCode.UNSUPPORTED_SUITE, errorOf(ch.receive()));
        }
    }

    @Test
    void session_replayedRequest_isReplay_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            Envelope p = c.session.protect(new Envelope(c.id, SERVER, 5, new Ping(null)), f.codec);
            c.ch.send(p);
            c.ch.receive();
            c.ch.send(p);
            assertEquals(ErrorCode.REPLAY, errorOf(c.ch.receive()));
            assertClosed(c.ch);
        }
    }

    @Test
    void session_tamperedCiphertext_isBadMac_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            Envelope p = c.session.protect(new Envelope(c.id, SERVER, 5, new Ping(null)), f.codec);
            Protected body = (Protected) p.body();
            byte[] ct = body.ct().clone();
            ct[ct.length - 1] ^= 1;
            c.ch.send(new Envelope(p.src(), p.dst(), p.id(), new Protected(body.seq(), ct)));
            assertEquals(ErrorCode.BAD_MAC, errorOf(c.ch.receive()));
            assertClosed(c.ch);
        }
    }

    @Test
    void session_unprotectedRequest_isNotAuthenticated_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            c.ch.send(new Envelope(c.id, SERVER, 5, new Ping(null)));
            assertEquals(ErrorCode.NOT_AUTHENTICATED, errorOf(c.ch.receive()));
            assertClosed(c.ch);
        }
    }

    // --- malformed input ---

    @Test
    void garbageFrame_isMalformed_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            c.ch.sendRaw("definitely not CBOR".getBytes(StandardCharsets.US_ASCII));
            assertEquals(ErrorCode.MALFORMED, errorOf(c.ch.receive()));
            assertClosed(c.ch);
        }
    }

    @Test
    void unknownMessageType_isUnknownType_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            byte[] frame = new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper()
                    .writeValueAsBytes(java.util.List.of(1, "teleport", "gw-1", "cpns-server", 1, Map.of()));
            c.ch.sendRaw(frame);
            assertEquals(ErrorCode.UNKNOWN_TYPE, errorOf(c.ch.receive()));
            assertClosed(c.ch);
        }
    }

    @Test
    void oversizedFrame_isFrameTooLarge_andClosed() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        io.cpns.session.tls.TlsConnection t = TlsClientEndpoint.psk(f.dial(), "gw-1", key, 2000, 5000);
        try (MessageChannel ch = f.channel(t)) {
            // a header announcing 16 MiB: refused before the server allocates or reads it
            t.out().write(new byte[] {1, 0, 0, 0});
            t.out().flush();
            assertEquals(ErrorCode.FRAME_TOO_LARGE, errorOf(ch.receive()));
            assertClosed(ch);
        }
    }

    @Test
    void silentClient_isDroppedAfterTheHandshakeTimeout() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (MessageChannel ch = f.channel(TlsClientEndpoint.psk(f.dial(), "gw-1", key, 2000, 10000))) {
            long t0 = System.nanoTime();
            assertClosed(ch); // we never send sess.hello
            assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "dropped by the 2 s handshake timeout");
        }
    }

    @Test
    void slowlorisClient_isDroppedAtTheHandshakeDeadline_thoughEveryReadGetsData() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        io.cpns.session.tls.TlsConnection t = TlsClientEndpoint.psk(f.dial(), "gw-1", key, 2000, 10000);
        long t0 = System.nanoTime();
        boolean dropped = false;
        try {
            byte[] drip = new byte[40]; // a frame announcing 64 bytes, then its payload, one byte every 250 ms
            drip[3] = 64;
            for (int i = 0; i < drip.length && !dropped; i++) { // never idle for 2 s, never complete
                t.out().write(drip[i]);
                t.out().flush();
                Thread.sleep(250);
            }
        } catch (IOException e) {
            dropped = true;
        } finally {
            t.close();
        }
        assertTrue(dropped, "the server kept a dripping client for 10 s");
        assertTrue(System.nanoTime() - t0 < 6_000_000_000L, "dropped at the 2 s deadline");
        assertTrue(f.log.all().contains("not authenticated within 2000 ms"));
    }

    @Test
    void secretsNeverReachTheLog() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        try (ServerFixture.Client c = f.client("gw-1", key)) {
            c.request(new Ping(null));
        }
        assertFalse(f.log.all().contains(HexFormat.of().formatHex(key)));
        assertFalse(f.log.all().contains("password-of-alice"));
    }
}
