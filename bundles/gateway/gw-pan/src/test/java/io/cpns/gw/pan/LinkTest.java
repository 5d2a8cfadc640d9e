package io.cpns.gw.pan;

import static io.cpns.gw.pan.GwFixture.GW;
import static io.cpns.gw.pan.GwFixture.SERVER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Protected;
import io.cpns.api.message.Relay;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionConfirm;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.gw.pan.GwFixture.Pne;
import io.cpns.session.InitiatorHandshake;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules of one PNE link ({@link Link}): identity, who may say what, the PNE-GW message-level session. */
class LinkTest {
    private static final byte[] KEY = Randoms.bytes(32);
    private GwFixture f;

    private GwFixture gateway(Map<String, Object> config) {
        f = new GwFixture(config);
        return f;
    }

    private GwFixture gateway() {
        return gateway(Map.of());
    }

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    // ---- how the link knows who the PNE is ----

    @Test
    void plainLink_claimsTheIdentityOfItsFirstMessage_unauthenticated() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        assertTrue(f.manager.link(pne.id).isEmpty(), "no route before the PNE said anything");
        pne.request(GW, new Ping(new byte[] {1}));
        assertArrayEquals(new byte[] {1}, pne.expect(Pong.class).data());
        PneLink link = f.link(pne);
        assertEquals("none", link.protectionName());
        assertFalse(link.authenticated());
        assertEquals("test", link.adapter());
    }

    @Test
    void tlsLink_isAuthenticatedAsItsPskIdentity_beforeAnyMessage() {
        gateway();
        Pne pne = f.tls("pne-a");
        PneLink link = f.link(pne);
        assertEquals("tls", link.protectionName());
        assertTrue(link.authenticated());
    }

    @Test
    void securePanLink_trustsTheClaim_andIsAuthenticated() throws Exception {
        gateway();
        Pne pne = f.onSecurePan("pne-a");
        pne.request(GW, new Ping(new byte[0]));
        pne.expect(Pong.class);
        assertEquals("pan", f.link(pne).protectionName());
        assertTrue(f.link(pne).authenticated());
    }

    @Test
    void pneClaimingTheGatewaysEntityId_isForbidden() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.send(new Envelope(GW, GW, 1, new Ping(new byte[0])));
        pne.expectError(ErrorCode.FORBIDDEN);
        assertTrue(f.manager.links().stream().allMatch(l -> l.pneId().isEmpty()), "the link names no PNE");
    }

    @Test
    void pneClaimingTheBroadcastId_isForbidden() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.send(new Envelope(EntityId.BROADCAST, GW, 1, new Ping(new byte[0])));
        pne.expectError(ErrorCode.FORBIDDEN);
        assertTrue(f.manager.link(EntityId.BROADCAST).isEmpty());
    }

    @Test
    void messageFromAnotherSource_onAnIdentifiedLink_isForbidden_andNotRouted() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.request(GW, new Ping(new byte[0]));
        pne.expect(Pong.class);
        pne.send(new Envelope(EntityId.of("pne-b"), GW, 9, new Ping(new byte[0])));
        pne.expectError(ErrorCode.FORBIDDEN);
        assertTrue(f.manager.link(EntityId.of("pne-b")).isEmpty());
        assertFalse(pne.connection.isClosed(), "FORBIDDEN does not close the link");
    }

    @Test
    void messageFromAnotherSource_onATlsLink_isForbidden() throws Exception {
        gateway();
        Pne pne = f.tls("pne-a");
        pne.send(new Envelope(EntityId.of("pne-b"), GW, 1, new Ping(new byte[0])));
        pne.expectError(ErrorCode.FORBIDDEN);
    }

    @Test
    void malformedFrame_isMalformed_andTheLinkClosed() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.sendRaw(new byte[] {(byte) 0xFF, 1, 2, 3});
        pne.expectError(ErrorCode.MALFORMED);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void brokenFrameStream_isAnsweredWithItsTypedError_andTheLinkClosed() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.connection.receiver().broken(new CpnsException(ErrorCode.FRAME_TOO_LARGE, "frame of 4096 bytes exceeds 1024"));
        pne.expectError(ErrorCode.FRAME_TOO_LARGE);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    // ---- requireGatewayPair: only the PNE-PN GW session applies on a PNE link (TS §5.3.3.1) ----

    @Test
    void pneToGateway_isCarried() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        long id = pne.request(GW, new Ping(new byte[] {7}));
        Envelope e = pne.receive();
        assertEquals(id, e.id());
        assertEquals(GW, e.src());
        assertEquals(pne.id, e.dst());
        assertInstanceOf(Pong.class, e.body());
    }

    @Test
    void pneToAnotherPne_isInvalidArgument_andTheLinkStays() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.request(EntityId.of("pne-b"), new Ping(new byte[0]));
        Envelope err = pne.expectError(ErrorCode.INVALID_ARGUMENT);
        assertTrue(((ErrorMessage) err.body()).detail().contains("two PNEs"), err.toString());
        assertFalse(pne.connection.isClosed());
        pne.request(GW, new Ping(new byte[0]));
        pne.expect(Pong.class);
    }

    @Test
    void pneToTheServerDirectly_isInvalidArgument_sendItInsideARelay() throws Exception {
        gateway();
        f.serverLink(SERVER);
        Pne pne = f.plain("pne-a");
        pne.request(SERVER, new Relay("pn-1", new byte[] {1}));
        Envelope err = pne.expectError(ErrorCode.INVALID_ARGUMENT);
        assertTrue(((ErrorMessage) err.body()).detail().contains("relay"), err.toString());
        assertFalse(pne.connection.isClosed());
    }

    @Test
    void pneToTheServerId_withoutAServerLink_isTreatedAsAnotherPne() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.request(SERVER, new Ping(new byte[0]));
        Envelope err = pne.expectError(ErrorCode.INVALID_ARGUMENT);
        assertTrue(((ErrorMessage) err.body()).detail().contains("two PNEs"), err.toString());
    }

    @Test
    void discoveryQuery_toBroadcast_isAnsweredWithoutAPairCheck() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        long id = pne.request(EntityId.BROADCAST, new DiscoveryQuery(EntityKind.PNE, Map.of()));
        Envelope e = pne.receive();
        assertEquals(id, e.id());
        DiscoveryAnnounce a = assertInstanceOf(DiscoveryAnnounce.class, e.body());
        assertEquals(GW.value(), a.gatewayId());
        assertTrue(a.access().stream().anyMatch(x -> x.adapter().equals("secure") && x.secure()));
        assertTrue(a.access().stream().anyMatch(x -> x.adapter().equals("test") && !x.secure()));
    }

    @Test
    void otherMessage_toBroadcast_isInvalidArgument() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.request(EntityId.BROADCAST, new Ping(new byte[0]));
        pne.expectError(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void pneSendingAHandshakeMessageAGatewaySends_isUnexpectedMessage_andClosed() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.request(GW, new SessionChallenge(Suites.modern().name(), Randoms.bytes(Suites.modern().randLength())));
        pne.expectError(ErrorCode.UNEXPECTED_MESSAGE);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    // ---- the message-level PNE-GW session (TS §5.3.3.1.1) ----

    @Test
    void sessHelloChallengeProofConfirm_withTheLocalEuKey_marksTheLinkSessionAndAuthenticated() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        assertNotNull(pne.handshake(KEY)); // confirm verified: the gateway proved the same key
        PneLink link = f.link(pne);
        assertEquals("session", link.protectionName());
        assertTrue(link.authenticated());
        assertFalse(pne.connection.isClosed());
    }

    @Test
    void sessHello_withOnlyAPreAssignedKey_usesIt() throws Exception {
        gateway();
        f.preAssigned.set("pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.handshake(KEY);
        assertEquals("session", f.link(pne).protectionName());
    }

    @Test
    void sessHello_withBothKeys_usesTheLocalEuKey_notThePreAssignedOne() throws Exception {
        gateway();
        byte[] preAssigned = Randoms.bytes(32);
        f.preAssigned.set("pne-a", preAssigned);
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.handshake(KEY);
        assertTrue(f.link(pne).authenticated());
    }

    @Test
    void session_isInstalledBeforeSessConfirmIsSent() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        AtomicReference<PneLink> atConfirm = new AtomicReference<>();
        pne.connection.onSend = frame -> {
            if (f.codec.decode(frame).body() instanceof SessionConfirm) {
                atConfirm.set(f.manager.link(pne.id).orElse(null)); // what a PNE acting on the confirm would find
            }
        };
        pne.handshake(KEY);
        assertNotNull(atConfirm.get(), "the link was routed when sess.confirm went out");
        assertEquals("session", atConfirm.get().protectionName());
        assertTrue(atConfirm.get().authenticated());
    }

    @Test
    void afterConfirm_aProtectedRequest_isAccepted_andAnsweredProtected() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.handshake(KEY);
        long id = pne.request(GW, new Ping(new byte[] {4, 2}));
        Envelope wire = pne.receive();
        assertInstanceOf(Protected.class, wire.body(), "answers on a session link are protected");
        Envelope open = pne.session.unprotect(wire, f.codec);
        assertEquals(id, open.id());
        assertArrayEquals(new byte[] {4, 2}, assertInstanceOf(Pong.class, open.body()).data());
    }

    @Test
    void afterConfirm_anUnprotectedRequest_isNotAuthenticated_andClosed() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.handshake(KEY);
        pne.send(new Envelope(pne.id, GW, 50, new Ping(new byte[0])));
        pne.expectError(ErrorCode.NOT_AUTHENTICATED); // in the clear: the PNE may not share the session
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void sessProof_withTheWrongKey_isAuthFailed_andTheLinkClosed() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        InitiatorHandshake h = new InitiatorHandshake(Suites.modern(), pne.id, GW, Randoms.bytes(32));
        pne.send(new Envelope(pne.id, GW, 1, new SessionHello(Suites.modern().name(), h.rand())));
        SessionChallenge c = pne.expect(SessionChallenge.class);
        pne.send(new Envelope(pne.id, GW, 2, new SessionProof(h.prove(c.rand()))));
        pne.expectError(ErrorCode.AUTH_FAILED);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
        assertTrue(f.manager.link(pne.id).isEmpty(), "a closed link is no route");
    }

    @Test
    void sessHello_fromAPneWithoutAnyKey_isAuthFailed_andClosed() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.request(GW, new SessionHello(Suites.modern().name(), Randoms.bytes(Suites.modern().randLength())));
        pne.expectError(ErrorCode.AUTH_FAILED);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void sessHello_withASuiteNotConfigured_isUnsupportedSuite() throws Exception {
        gateway(Map.of("suites", new String[] {"modern-v1"}));
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.request(GW, new SessionHello(Suites.legacy().name(), Randoms.bytes(Suites.legacy().randLength())));
        pne.expectError(ErrorCode.UNSUPPORTED_SUITE);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void sessProof_withoutSessHello_isUnexpectedMessage_andClosed() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.request(GW, new SessionProof(Randoms.bytes(32)));
        pne.expectError(ErrorCode.UNEXPECTED_MESSAGE);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void sessHello_onATlsLink_isUnexpectedMessage() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.tls("pne-a");
        pne.request(GW, new SessionHello(Suites.modern().name(), Randoms.bytes(Suites.modern().randLength())));
        pne.expectError(ErrorCode.UNEXPECTED_MESSAGE);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void sessHello_onASecurePan_isUnexpectedMessage() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.onSecurePan("pne-a");
        pne.request(GW, new SessionHello(Suites.modern().name(), Randoms.bytes(Suites.modern().randLength())));
        pne.expectError(ErrorCode.UNEXPECTED_MESSAGE);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void sessHello_withoutProof_isDroppedWithTimeout_afterHandshakeTimeout() throws Exception {
        gateway(Map.of("handshakeTimeoutMillis", 200));
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.request(GW, new SessionHello(Suites.modern().name(), Randoms.bytes(Suites.modern().randLength())));
        pne.expect(SessionChallenge.class);
        pne.expectError(ErrorCode.TIMEOUT); // and nothing from the PNE in between
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
        assertTrue(f.manager.link(pne.id).isEmpty());
    }

    @Test
    void completedHandshake_isNotExpiredByItsTimeout() throws Exception {
        gateway(Map.of("handshakeTimeoutMillis", 100));
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.handshake(KEY);
        assertNull(pne.nothingFor(400), "no TIMEOUT error after the handshake completed");
        assertFalse(pne.connection.isClosed());
        assertEquals("session", f.link(pne).protectionName());
    }

    @Test
    void protectedMessage_withoutASession_isNotAuthenticated_andClosed() throws Exception {
        gateway();
        Pne pne = f.plain("pne-a");
        pne.send(new Envelope(pne.id, GW, 3, new Protected(1, Randoms.bytes(40))));
        pne.expectError(ErrorCode.NOT_AUTHENTICATED);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void replayedProtectedMessage_isReplay_andClosed() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.handshake(KEY);
        Envelope p = pne.session.protect(new Envelope(pne.id, GW, 5, new Ping(new byte[0])), f.codec);
        pne.send(p);
        pne.expect(Pong.class);
        pne.send(p);
        pne.expectError(ErrorCode.REPLAY);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void gatewayRequest_overASessionLink_isProtected() throws Exception {
        gateway();
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        Pne pne = f.plain("pne-a");
        pne.handshake(KEY);
        var answer = f.manager.request(pne.id, new Ping(new byte[] {3}), java.time.Duration.ofSeconds(2)).toCompletableFuture();
        Envelope wire = pne.receive();
        assertInstanceOf(Protected.class, wire.body());
        Envelope req = pne.session.unprotect(wire, f.codec);
        pne.send(pne.session.protect(req.reply(new Pong(new byte[] {3})), f.codec));
        assertArrayEquals(new byte[] {3}, assertInstanceOf(Pong.class, answer.get(2, java.util.concurrent.TimeUnit.SECONDS)
                .envelope().body()).data());
    }

    @Test
    void errorFromThePne_withTheIdOfAGatewayRequest_failsThatRequestAtOnce() throws Exception {
        gateway();
        Pne pne = f.tls("pne-a");
        var answer = f.manager.request(pne.id, new Ping(new byte[0]), java.time.Duration.ofSeconds(30)).toCompletableFuture();
        Envelope req = pne.receive();
        pne.send(req.reply(new ErrorMessage(ErrorCode.FORBIDDEN.code(), "not you")));
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> answer.get(2, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(ErrorCode.FORBIDDEN, assertInstanceOf(CpnsException.class, e.getCause()).code());
        assertFalse(pne.connection.isClosed());
    }
}
