package io.cpns.gw.pan;

import static io.cpns.gw.pan.GwFixture.GW;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.gw.pan.GwFixture.Pne;
import io.cpns.session.InitiatorHandshake;
import io.cpns.testkit.HostileFrames;
import io.cpns.testkit.ServiceObjects;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, the PAN link under attack (docs/security.md §10.1): a claimed identity used against
 * an authenticated PNE, reserved Entity IDs, frames that break the error path, repeated failed
 * handshakes, and a flood of refusals in the log.
 */
class HostileLinkTest {
    private static final String INFO = "entity.info.req";
    private static final byte[] KEY = Randoms.bytes(32);
    private GwFixture f;

    private GwFixture gateway(Map<String, Object> config) {
        f = new GwFixture(config);
        return f;
    }

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    private void handler(String type, PneRequestHandler h) {
        f.manager.addHandler(ServiceObjects.of(h), Map.of(PneRequestHandler.TYPE, type));
    }

    private long lines(String containing) {
        return f.log.lines().stream().filter(l -> l.contains(containing)).count();
    }

    // ---- a claimed identity never routes anything to another link ----

    /**
     * The campaign's attack: a plain link claiming the Entity ID of a PNE connected under PSK-TLS
     * sends a request with the envelope id of that PNE's request in flight. The refusal meant for
     * the spoofer used to go to the PNE's authenticated link and fail its real request.
     */
    @Test
    void spoofedLink_reusingTheIdOfARequestInFlight_getsItsOwnRefusal_andTheRealRequestSucceeds() throws Exception {
        gateway(Map.of());
        CompletableFuture<Message> held = new CompletableFuture<>();
        handler(INFO, m -> m.link().authenticated() ? held
                : CompletableFuture.failedFuture(new CpnsException(ErrorCode.FORBIDDEN, "needs an authenticated link")));
        Pne real = f.tls("pne-a");
        long id = real.request(GW, new EntityInfoRequest("pne-a"));
        Pne spoofer = f.plain("pne-a");

        spoofer.send(new Envelope(spoofer.id, GW, id, new EntityInfoRequest("pne-a")));

        assertEquals(id, spoofer.expectError(ErrorCode.FORBIDDEN).id(), "the refusal goes back on the link the request came on");
        assertTrue(real.connection.sent.isEmpty(), "nothing reached the real PNE's link");
        held.complete(new EntityInfo("pne-a", EntityKind.PNE, "alice"));
        Envelope answer = real.receive();
        assertEquals(id, answer.id());
        assertEquals("alice", assertInstanceOf(EntityInfo.class, answer.body()).userId());
        assertEquals(1, lines(INFO + " " + id + " refused"), f.log.all());
    }

    @Test
    void claimedLink_answeringARequestSentToAnotherLink_isRefused_andTheRequestStaysPending() throws Exception {
        gateway(Map.of());
        Pne real = f.tls("pne-a");
        CompletableFuture<PneMessage> answer = f.manager.request(real.id, new Ping(new byte[] {1}), Duration.ofSeconds(30))
                .toCompletableFuture();
        Envelope request = real.receive();
        Pne spoofer = f.plain("pne-a");

        spoofer.send(request.reply(new ErrorMessage(ErrorCode.FORBIDDEN.code(), "spoofed")));
        spoofer.expectError(ErrorCode.FORBIDDEN);
        spoofer.send(request.reply(new Pong(new byte[] {6})));
        spoofer.expectError(ErrorCode.FORBIDDEN);
        assertFalse(answer.isDone(), "a claimed link cannot answer a request sent to another link");

        real.send(request.reply(new Pong(new byte[] {1})));
        PneMessage m = answer.get(GwFixture.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals(1, assertInstanceOf(Pong.class, m.envelope().body()).data()[0]);
        assertEquals("tls", m.link().protectionName());
    }

    /** Seed 004 step 7: the PNE secures a new link with its new LocalEUKey and answers there: proven, so accepted. */
    @Test
    void answerOnANewAuthenticatedLinkOfThePne_completesARequestSentOnItsPlainLink() throws Exception {
        gateway(Map.of());
        Pne plain = f.plain("pne-a");
        plain.request(GW, new Ping(new byte[0]));
        plain.expect(Pong.class);
        CompletableFuture<PneMessage> answer = f.manager.request(plain.id, new Ping(new byte[] {2}), Duration.ofSeconds(30))
                .toCompletableFuture();
        Envelope request = plain.receive();
        Pne secured = f.tls("pne-a");
        secured.send(request.reply(new Pong(new byte[] {2})));
        assertEquals("tls", answer.get(GwFixture.WAIT_MILLIS, TimeUnit.MILLISECONDS).link().protectionName());
    }

    /**
     * Seed 004 steps 1-14: the initiator's PN Setup Request comes on its plain link; it answers
     * {@code pne.auth.req} (sent on that link) on a new link secured with its new LocalEUKey, and
     * leaves the old one, maybe only after the answer is ready. The answer follows it.
     */
    @Test
    void answerToARequestFromAPlainLink_followsThePne_toTheLinkWhereItAnsweredOurRequest() throws Exception {
        gateway(Map.of());
        CompletableFuture<Message> held = new CompletableFuture<>();
        handler(INFO, m -> held);
        Pne plain = f.plain("pne-a");
        long id = plain.request(GW, new EntityInfoRequest("pne-a"));
        CompletableFuture<PneMessage> auth = f.manager.request(plain.id, new Ping(new byte[] {9}), Duration.ofSeconds(30))
                .toCompletableFuture();
        Envelope authRequest = plain.receive(); // only the plain link carried it
        Pne secured = f.tls("pne-a");
        secured.send(authRequest.reply(new Pong(new byte[] {9})));
        auth.get(GwFixture.WAIT_MILLIS, TimeUnit.MILLISECONDS);

        held.complete(new EntityInfo("pne-a", EntityKind.PNE, "alice")); // the old link not even closed yet
        Envelope answer = secured.receive();
        assertEquals(id, answer.id());
        assertInstanceOf(EntityInfo.class, answer.body());
        assertTrue(plain.connection.sent.isEmpty());
    }

    /** The same when the PNE re-keys: from its PSK-TLS link to one under its new LocalEUKey (PnEstablishmentIT.e19). */
    @Test
    void answerToARequestFromATlsLink_followsThePne_toTheTlsLinkWhereItAnsweredOurRequest() throws Exception {
        gateway(Map.of());
        CompletableFuture<Message> held = new CompletableFuture<>();
        handler(INFO, m -> held);
        Pne old = f.tls("pne-a");
        long id = old.request(GW, new EntityInfoRequest("pne-a"));
        CompletableFuture<PneMessage> auth = f.manager.request(old.id, new Ping(new byte[] {9}), Duration.ofSeconds(30))
                .toCompletableFuture();
        Envelope authRequest = old.receive();
        Thread.sleep(2); // distinct instants: the new link is the newest
        Pne rekeyed = f.tls("pne-a");
        rekeyed.send(authRequest.reply(new Pong(new byte[] {9})));
        auth.get(GwFixture.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        held.complete(new EntityInfo("pne-a", EntityKind.PNE, "alice"));
        assertEquals(id, rekeyed.receive().id());
        assertTrue(old.connection.sent.isEmpty());
    }

    /** An authenticated link that closed: its answer goes to another authenticated link of the PNE (the same proven identity). */
    @Test
    void answerToARequestFromATlsLinkThatClosed_goesToAnotherTlsLinkOfThePne() throws Exception {
        gateway(Map.of());
        CompletableFuture<Message> held = new CompletableFuture<>();
        handler(INFO, m -> held);
        Pne old = f.tls("pne-a");
        long id = old.request(GW, new EntityInfoRequest("pne-a"));
        Pne again = f.tls("pne-a");
        old.connection.close();
        held.complete(new EntityInfo("pne-a", EntityKind.PNE, "alice"));
        assertEquals(id, again.receive().id());
    }

    /** A spoofer that hangs up gains nothing, even if the real PNE reconnects meanwhile: a claimed link's answer never moves by itself. */
    @Test
    void answerToAClaimedLinksRequest_afterItHungUp_neverGoesToTheRealPnesLinks() throws Exception {
        gateway(Map.of());
        CompletableFuture<Message> held = new CompletableFuture<>();
        handler(INFO, m -> held);
        Pne real = f.tls("pne-a");
        Pne spoofer = f.plain("pne-a");
        spoofer.send(new Envelope(spoofer.id, GW, 7, new EntityInfoRequest("pne-a")));
        Pne reconnected = f.tls("pne-a");
        spoofer.connection.close();
        held.complete(new EntityInfo("pne-a", EntityKind.PNE, "mallory"));
        assertTrue(real.connection.sent.isEmpty(), "the spoofer's answer reached the real PNE");
        assertTrue(reconnected.connection.sent.isEmpty(), "the spoofer's answer reached the real PNE's new link");
        assertEquals(1, lines("answer to entity.info.req 7 of PNE pne-a lost"), f.log.all());
    }

    // ---- reserved Entity IDs ----

    @Test
    void theServersEntityId_isRefusedAsAPnes_theDefaultAndTheConfiguredOne() throws Exception {
        gateway(Map.of());
        Pne server = f.plain("cpns-server");
        server.request(GW, new Ping(new byte[0]));
        server.expectError(ErrorCode.FORBIDDEN);
        assertTrue(f.manager.link(server.id).isEmpty(), "no route to a PNE named like the Server");

        f.serverLink(EntityId.of("srv-main"));
        Pne configured = f.plain("srv-main");
        configured.request(GW, new Ping(new byte[0]));
        configured.expectError(ErrorCode.FORBIDDEN);
        assertTrue(f.manager.link(configured.id).isEmpty());

        f.serverLinkGone(); // gw-link being updated: the Server's ID stays reserved
        Pne whileAway = f.plain("srv-main");
        whileAway.request(GW, new Ping(new byte[0]));
        whileAway.expectError(ErrorCode.FORBIDDEN);
        assertTrue(f.pan.context.psk("srv-main") == null && f.pan.context.psk("cpns-server") == null, "no PSK-TLS as the Server either");
    }

    // ---- frames that break the error path ----

    /** A lone surrogate in the type: the error detail could not be encoded, and the exception killed the reader thread. */
    @Test
    void loneSurrogateFrame_isRefusedWithItsTypedError_theLinkClosed_andNothingEscapes() throws Exception {
        gateway(Map.of());
        Pne pne = f.plain("pne-a");
        assertDoesNotThrow(() -> pne.sendRaw(HostileFrames.all().get("lone surrogate in the type")));
        pne.expectError(ErrorCode.MALFORMED);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
        assertTrue(f.manager.links().isEmpty(), "no zombie link");
    }

    @Test
    void everyHostileFrame_getsATypedErrorWithOurOwnReason_andTheLinkClosed() throws Exception {
        gateway(Map.of());
        for (Map.Entry<String, byte[]> frame : HostileFrames.all().entrySet()) {
            Pne pne = f.plain("pne-a");
            assertDoesNotThrow(() -> pne.sendRaw(frame.getValue()), frame.getKey());
            Envelope e = pne.receive();
            ErrorMessage err = assertInstanceOf(ErrorMessage.class, e.body(), frame.getKey());
            HostileFrames.leak(err.detail()).ifPresent(leak -> fail(frame.getKey() + ": '" + leak + "' reached the PNE: " + err.detail()));
            assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS), frame.getKey() + " left the link open");
        }
        assertTrue(f.manager.links().isEmpty());
    }

    /** A handler's refusal quoting a peer's text verbatim: the PNE still gets it (the lone surrogate replaced). */
    @Test
    void refusalWhoseDetailHoldsALoneSurrogate_stillReachesThePne() throws Exception {
        gateway(Map.of());
        // as if the handler quoted a peer's text that held a lone surrogate
        handler(INFO, m -> CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no entity x\uD800y")));
        Pne pne = f.tls("pne-a");
        long id = pne.request(GW, new EntityInfoRequest("pne-x"));
        Envelope e = pne.expectError(ErrorCode.UNKNOWN_ENTITY);
        assertEquals(id, e.id());
        assertEquals("no entity x?y", ((ErrorMessage) e.body()).detail());
    }

    // ---- the message-level handshake: failed attempts cost the next ones ----

    private ErrorCode wrongKeyHandshake(Pne pne) throws Exception {
        InitiatorHandshake h = new InitiatorHandshake(Suites.modern(), pne.id, GW, Randoms.bytes(32));
        pne.send(new Envelope(pne.id, GW, 1, new SessionHello(Suites.modern().name(), h.rand())));
        Envelope first = pne.receive();
        if (first.body() instanceof ErrorMessage err) {
            return err.errorCode();
        }
        SessionChallenge c = assertInstanceOf(SessionChallenge.class, first.body());
        pne.send(new Envelope(pne.id, GW, 2, new SessionProof(h.prove(c.rand()))));
        return assertInstanceOf(ErrorMessage.class, pne.receive().body()).errorCode();
    }

    /** The first failure is free, the second makes the next attempt wait (ten minutes: longer than any test). */
    private static final Map<String, Object> ONE_FREE = Map.of("handshakeFreeFailures", 1, "handshakeBackoffMillis", 600_000,
            "handshakeBackoffMaxMillis", 600_000);

    @Test
    void wrongProofs_forOneEntityId_fromAnywhere_areRateLimited_afterTheFreeFailures_evenWithTheRightKey() throws Exception {
        gateway(ONE_FREE);
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        assertEquals(ErrorCode.AUTH_FAILED, wrongKeyHandshake(f.plainFrom("pne-a", "192.0.2.1:4001")));
        assertEquals(ErrorCode.AUTH_FAILED, wrongKeyHandshake(f.plainFrom("pne-a", "192.0.2.2:4002")));
        Pne third = f.plainFrom("pne-a", "192.0.2.3:4003");
        assertEquals(ErrorCode.RATE_LIMITED, wrongKeyHandshake(third));
        assertTrue(third.connection.awaitClosed(GwFixture.WAIT_MILLIS));

        Pne genuine = f.plainFrom("pne-a", "192.0.2.4:4004");
        genuine.send(new Envelope(genuine.id, GW, 1, new SessionHello(Suites.modern().name(), Randoms.bytes(Suites.modern().randLength()))));
        genuine.expectError(ErrorCode.RATE_LIMITED); // not even checked: no key test for a guesser
        assertEquals(1, lines("handshakes rate-limited"), f.log.all());
    }

    @Test
    void failedHandshakes_fromOneSource_forManyEntityIds_areRateLimited_otherSourcesGoOn() throws Exception {
        gateway(ONE_FREE);
        for (String id : new String[] {"pne-1", "pne-2", "pne-3"}) {
            f.secrets.put(Keys.LOCAL_EUKEY + id, KEY);
        }
        assertEquals(ErrorCode.AUTH_FAILED, wrongKeyHandshake(f.plainFrom("pne-1", "192.0.2.9:5001")));
        assertEquals(ErrorCode.AUTH_FAILED, wrongKeyHandshake(f.plainFrom("unknown-pne", "192.0.2.9:5002")), "no key: a failure too");
        assertEquals(ErrorCode.RATE_LIMITED, wrongKeyHandshake(f.plainFrom("pne-3", "192.0.2.9:5003")));

        Pne elsewhere = f.plainFrom("pne-3", "192.0.2.10:5004");
        elsewhere.handshake(KEY);
        assertTrue(f.link(elsewhere).authenticated());
    }

    @Test
    void aSuccessfulHandshake_clearsTheEntityIdsFailures() throws Exception {
        gateway(ONE_FREE);
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", KEY);
        assertEquals(ErrorCode.AUTH_FAILED, wrongKeyHandshake(f.plainFrom("pne-a", "192.0.2.1:1")));
        f.plainFrom("pne-a", "192.0.2.2:1").handshake(KEY);
        assertEquals(ErrorCode.AUTH_FAILED, wrongKeyHandshake(f.plainFrom("pne-a", "192.0.2.3:1")));
        assertEquals(ErrorCode.AUTH_FAILED, wrongKeyHandshake(f.plainFrom("pne-a", "192.0.2.4:1")), "counted afresh after the success");
    }

    // ---- the log: one line per refusal at most, a budget per source, peer text escaped ----

    @Test
    void manyRefusals_fromOneSource_areLoggedUpToABudget_thenCounted_otherSourcesStillLogged() throws Exception {
        gateway(Map.of());
        Pne noisy = f.plainFrom("pne-a", "192.0.2.66:7000");
        noisy.request(GW, new Ping(new byte[0]));
        noisy.expect(Pong.class);
        for (int i = 0; i < 1000; i++) {
            noisy.send(new Envelope(EntityId.of("pne-b"), GW, i, new Ping(new byte[0]))); // FORBIDDEN, the link stays
            noisy.expectError(ErrorCode.FORBIDDEN);
        }
        long logged = lines("192.0.2.66:7000 refused");
        assertTrue(logged <= 10, logged + " lines for 1000 refusals from one source:\n" + f.log.all());
        Pne other = f.plainFrom("pne-d", "192.0.2.67:7000");
        other.send(new Envelope(EntityId.of("pne-d"), GW, 1, new Ping(new byte[0]))); // identifies as pne-d; then:
        other.expect(Pong.class);
        other.send(new Envelope(EntityId.of("pne-e"), GW, 2, new Ping(new byte[0])));
        other.expectError(ErrorCode.FORBIDDEN);
        assertEquals(1, lines("192.0.2.67:7000 refused"), "another source has its own budget");
    }

    @Test
    void aPnesErrorReport_cannotForgeALogLine() throws Exception {
        gateway(Map.of());
        Pne pne = f.plain("pne-a");
        pne.request(GW, new Ping(new byte[0]));
        pne.expect(Pong.class);
        pne.send(new Envelope(pne.id, GW, 0, new ErrorMessage(ErrorCode.INTERNAL.code(), "oops\nERROR cpns forged line")));
        f.manager.links(); // the report is handled on this thread, before send returns
        assertTrue(f.log.lines().stream().noneMatch(l -> l.contains("\n")), f.log.all());
        assertEquals(1, lines("forged line"));
    }
}
