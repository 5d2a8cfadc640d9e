package io.cpns.server.pn;

import static io.cpns.server.pn.PnServerFixture.ALICE;
import static io.cpns.server.pn.PnServerFixture.BOB;
import static io.cpns.server.pn.PnServerFixture.GW_ALICE;
import static io.cpns.server.pn.PnServerFixture.GW_BOB;
import static io.cpns.server.pn.PnServerFixture.LAMP;
import static io.cpns.server.pn.PnServerFixture.PHONE;
import static io.cpns.server.pn.PnServerFixture.SERVER;
import static io.cpns.server.pn.PnServerFixture.TV;
import static io.cpns.server.pn.PnServerFixture.TV_BOB;
import static io.cpns.server.pn.PnServerFixture.alicesGateway;
import static io.cpns.server.pn.PnServerFixture.gateway;
import static io.cpns.server.pn.PnServerFixture.keysOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.PnAuthRequest;
import io.cpns.api.message.PnAuthResponse;
import io.cpns.api.message.PnMemberRemove;
import io.cpns.api.message.PnRegisterRequest;
import io.cpns.api.message.PnRegisterResponse;
import io.cpns.api.message.PnePresence;
import io.cpns.api.message.PneKeys;
import io.cpns.api.message.PneProof;
import io.cpns.api.message.PneVerdict;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Protected;
import io.cpns.api.message.Relay;
import io.cpns.api.message.RelayResponse;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RegisteredPn;
import io.cpns.api.server.ServiceGroup;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.server.pn.PnServerFixture.Pne;
import io.cpns.session.SecureSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPNS Server's part of PN Establishment, seed 004 §5.2.1.1 steps 4-5 (PN Registration
 * Request -&gt; Authentication request) and 10-12 (Authentication responses -&gt; PN Registration
 * Response), then the PNE-Server relay that SK_PNE protects. §5.2.1.2 steps 5-6 and 11-13 are
 * the same server calls. The test plays the PN GW (a GATEWAY principal) and the PNEs.
 */
class PnServerTest {
    static final int MAX_BATCH = 3;

    @TempDir
    Path dir;
    PnServerFixture f;
    PnServer server;
    final MessageCodec codec = new MessageCodec();

    @BeforeEach
    void start() throws Exception {
        f = new PnServerFixture(dir, Map.of("maxBatchPnes", MAX_BATCH));
        server = f.server;
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    // ---- helpers ----

    private static PnRegisterRequest registration(String pnId, int batch, PnePresence... pnes) {
        return new PnRegisterRequest(pnId, batch, Map.of("model", "stb-1"), Map.of("plan", "home"), List.of(pnes));
    }

    private static CpnsException refused(ErrorCode expected, Executable call) {
        CpnsException e = assertThrows(CpnsException.class, call);
        assertEquals(expected, e.code(), e.getMessage());
        return e;
    }

    private static Map<String, PneVerdict> byPne(PnRegisterResponse r) {
        return r.results().stream().collect(Collectors.toMap(PneVerdict::pneId, Function.identity()));
    }

    private static byte[] flipped(byte[] b) {
        byte[] c = b.clone();
        c[0] ^= 1;
        return c;
    }

    /** Steps 4-12 for {@code pnes} (no LocalEUKeys), every PNE answering correctly; returns each PNE's SK_PNE session. */
    private Map<EntityId, SecureSession> establish(Principal gw, String pnId, int batch, Pne... pnes) {
        PnAuthRequest auth = server.register(gw, registration(pnId, batch,
                Arrays.stream(pnes).map(p -> p.presence(false)).toArray(PnePresence[]::new)));
        PnRegisterResponse r = server.authenticate(gw, new PnAuthResponse(pnId, batch,
                Arrays.stream(pnes).map(p -> p.proof(auth)).toList()));
        assertTrue(r.registered());
        Map<String, PneVerdict> v = byPne(r);
        return Arrays.stream(pnes).collect(Collectors.toMap(p -> p.id, p -> p.handshake.confirm(v.get(p.id.value()).hashServer())));
    }

    /** A PNE's request to the Server protected end to end with SK_PNE, as the PN GW relays it. */
    private Relay relayOf(String pnId, SecureSession pneSession, long id, Message m) {
        Envelope inner = new Envelope(pneSession.local(), SERVER, id, m);
        return new Relay(pnId, codec.encode(pneSession.protect(inner, codec)));
    }

    private Message answerOf(SecureSession pneSession, RelayResponse r) {
        return pneSession.unprotect(codec.decode(r.envelope()), codec).body();
    }

    private RegisteredPn pnInStore(String pnId) {
        return f.pnStore.pn(pnId).orElseThrow(() -> new AssertionError("PN " + pnId + " not in the PN Inventory"));
    }

    // ---- steps 4-5: PN Registration Request -> Authentication request ----

    @Test
    void step05_oneRandServerOf32Bytes_isSharedByTheWholeBatch() {
        Pne tv = f.pne(TV);
        Pne phone = f.pne(PHONE);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false), phone.presence(false)));

        assertEquals("pn-1", auth.pnId());
        assertEquals(1, auth.batch());
        assertEquals(32, auth.randServer().length);
        assertEquals(List.of(TV.value(), PHONE.value()), auth.pnes().stream().map(PneKeys::pneId).toList());
        auth.pnes().forEach(k -> assertEquals(0, k.status(), k.pneId()));
        // both PNEs prove against the one rand_server of the batch, and both are authenticated
        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(tv.proof(auth), phone.proof(auth))));
        assertTrue(byPne(r).get(TV.value()).authenticated());
        assertTrue(byPne(r).get(PHONE.value()).authenticated());

        PnAuthRequest next = server.register(alicesGateway(), registration("pn-1", 2, f.pne(LAMP).presence(false)));
        assertFalse(Arrays.equals(auth.randServer(), next.randServer()), "every batch has a fresh rand_server");
    }

    @Test
    void step05_localEuKeyPresentOnlyWhenRequested() {
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, f.pne(TV).presence(true), f.pne(PHONE).presence(false)));

        PneKeys tv = keysOf(auth, TV);
        assertNotNull(tv.localEuKeyForPne());
        assertNotNull(tv.localEuKeyForGateway());
        PneKeys phone = keysOf(auth, PHONE);
        assertEquals(0, phone.status());
        assertNull(phone.localEuKeyForPne());
        assertNull(phone.localEuKeyForGateway());
    }

    @Test
    void step05_localEuKeyWrappedTwice_underPneAndGatewayEuKeys() {
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, f.pne(TV).presence(true), f.pne(PHONE).presence(true)));
        PneKeys tv = keysOf(auth, TV);
        var suite = Suites.modern();

        byte[] pneCopy = suite.unwrap(f.euKey(TV), tv.localEuKeyForPne()); // step 6-7: the PNE's copy
        byte[] gwCopy = suite.unwrap(f.euKey(GW_ALICE), tv.localEuKeyForGateway()); // step 6: the PN GW's copy
        assertEquals(PnServer.LOCAL_EUKEY_LENGTH, pneCopy.length);
        assertArrayEquals(pneCopy, gwCopy, "both copies hold the same LocalEUKey");

        // each copy opens only under its own EUKey
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> suite.unwrap(f.euKey(GW_ALICE), tv.localEuKeyForPne())).code());
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> suite.unwrap(f.euKey(TV), tv.localEuKeyForGateway())).code());
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> suite.unwrap(f.euKey(PHONE), tv.localEuKeyForPne())).code());

        byte[] phoneKey = suite.unwrap(f.euKey(PHONE), keysOf(auth, PHONE).localEuKeyForPne());
        assertFalse(Arrays.equals(pneCopy, phoneKey), "one LocalEUKey per PNE");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "unknown entity,               nobody-pne,  modern-v1, 32, UNKNOWN_ENTITY",
        "a GATEWAY listed as PNE,      gw-alice,    modern-v1, 32, INVALID_ARGUMENT",
        "another user's PNE,           tv-bob,      modern-v1, 32, FORBIDDEN",
        "bad suite name,               phone-alice, rot13-v0,  32, UNSUPPORTED_SUITE",
        "not an Entity ID,             'bad id!',   modern-v1, 32, INVALID_ARGUMENT",
        "rand_PNE of the wrong length, phone-alice, modern-v1, 16, MALFORMED",
    })
    void step05_refusedPne_getsAStatusCode_whileTheRestOfTheBatchProceeds(String why, String pneId, String suite, int randLength,
                                                                         ErrorCode expected) {
        Pne tv = f.pne(TV);
        PnePresence bad = new PnePresence(pneId, Map.of(), List.of(), Randoms.bytes(randLength), true, suite);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, bad, tv.presence(true)));

        PneKeys refused = auth.pnes().get(0);
        assertEquals(pneId, refused.pneId());
        assertEquals(expected.code(), refused.status());
        assertNull(refused.localEuKeyForPne(), "no LocalEUKey for a refused PNE");
        assertNull(refused.localEuKeyForGateway());
        PneKeys ok = keysOf(auth, TV);
        assertEquals(0, ok.status());
        assertNotNull(ok.localEuKeyForPne());

        // whatever the PN GW sends for the refused PNE is ignored; the PN is registered with TV only
        PneProof junk = new PneProof(pneId, new byte[32]);
        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(junk, tv.proof(auth))));
        assertTrue(r.registered());
        assertEquals(List.of(TV.value()), r.results().stream().map(PneVerdict::pneId).toList());
        assertEquals(List.of(TV), pnInStore("pn-1").members());
    }

    @Test
    void step05_aSuiteTheOperatorDidNotAccept_isUnsupportedSuite_forThatPneOnly() throws Exception {
        f.close();
        f = new PnServerFixture(dir.resolve("modern-only"), Map.of(), new String[] {"modern-v1"});
        server = f.server;
        Pne tv = f.pne(TV);
        PnePresence legacy = new PnePresence(PHONE.value(), Map.of(), List.of(), Randoms.bytes(32), true, "legacy-v1");
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, legacy, tv.presence(true)));

        assertEquals(ErrorCode.UNSUPPORTED_SUITE.code(), keysOf(auth, PHONE).status());
        assertNull(keysOf(auth, PHONE).localEuKeyForPne());
        assertEquals(0, keysOf(auth, TV).status());
    }

    @Test
    void step05_anotherUsersPne_refusalIsLogged() {
        server.register(alicesGateway(), registration("pn-1", 1, f.pne(TV_BOB).presence(true)));
        assertTrue(f.log.all().contains("PN GW gw-alice of alice tried to register PNE tv-bob of another CPNS User"), f.log.all());
    }

    @Test
    void step04_batchHoldsOneToMaxBatchPnes() {
        refused(ErrorCode.INVALID_ARGUMENT, () -> server.register(alicesGateway(), registration("pn-1", 1)));
        PnePresence[] tooMany = {f.pne(TV).presence(false), f.pne(PHONE).presence(false), f.pne(LAMP).presence(false),
            new PnePresence("fridge-alice", Map.of(), List.of(), Randoms.bytes(32), false, null)};
        refused(ErrorCode.INVALID_ARGUMENT, () -> server.register(alicesGateway(), registration("pn-1", 1, tooMany)));

        PnAuthRequest full = server.register(alicesGateway(), registration("pn-1", 1, Arrays.copyOf(tooMany, MAX_BATCH)));
        assertEquals(MAX_BATCH, full.pnes().size());
    }

    @Test
    void step04_invalidPnId_isRefused() {
        refused(ErrorCode.INVALID_ARGUMENT, () -> server.register(alicesGateway(), registration("pn 1/..", 1, f.pne(TV).presence(false))));
        refused(ErrorCode.INVALID_ARGUMENT, () -> server.register(alicesGateway(), registration("", 1, f.pne(TV).presence(false))));
    }

    @Test
    void step04_pnOwnedByAnotherGateway_isForbidden() {
        establish(alicesGateway(), "pn-1", 1, f.pne(TV));

        refused(ErrorCode.FORBIDDEN, () -> server.register(gateway(GW_BOB, BOB), registration("pn-1", 1, f.pne(TV_BOB).presence(false))));
        assertEquals(List.of(TV), pnInStore("pn-1").members());
    }

    @Test
    void onlyAPnGateway_mayRegisterAuthenticateRelayOrRemove() {
        Principal pne = new Principal(TV, EntityKind.PNE, ALICE);
        refused(ErrorCode.FORBIDDEN, () -> server.register(pne, registration("pn-1", 1, f.pne(TV).presence(true))));
        refused(ErrorCode.FORBIDDEN, () -> server.authenticate(pne, new PnAuthResponse("pn-1", 1, List.of())));
        refused(ErrorCode.FORBIDDEN, () -> server.relay(pne, new Relay("pn-1", new byte[8])));
        refused(ErrorCode.FORBIDDEN, () -> server.removeMember(pne, new PnMemberRemove("pn-1", TV.value())));
        assertTrue(server.pns().isEmpty());
    }

    // ---- steps 10-12: Authentication responses -> PN Registration Response ----

    @Test
    void step11_correctHashPneAuthenticates_wrongOrMissingOneDoesNot() {
        Pne tv = f.pne(TV);
        Pne phone = f.pne(PHONE);
        Pne lamp = f.pne(LAMP);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false), phone.presence(false),
                lamp.presence(false)));

        PneProof wrong = new PneProof(PHONE.value(), flipped(phone.proof(auth).hashPne()));
        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(tv.proof(auth), wrong)));

        Map<String, PneVerdict> v = byPne(r);
        assertEquals(3, v.size());
        assertTrue(v.get(TV.value()).authenticated());
        assertNotNull(v.get(TV.value()).hashServer());
        assertFalse(v.get(PHONE.value()).authenticated(), "wrong hash_PNE");
        assertNull(v.get(PHONE.value()).hashServer(), "no hash_server for a PNE that failed");
        assertFalse(v.get(LAMP.value()).authenticated(), "no hash_PNE at all");
        assertNull(v.get(LAMP.value()).hashServer());

        assertTrue(r.registered());
        RegisteredPn pn = pnInStore("pn-1");
        assertEquals(GW_ALICE, pn.gateway());
        assertEquals(ALICE, pn.owner());
        assertEquals(List.of(TV), pn.members());
        // first authentication with the EUKey confirms the assignment (it can no longer be re-assigned)
        assertTrue(f.entities.find(TV).orElseThrow().confirmed());
        assertFalse(f.entities.find(PHONE).orElseThrow().confirmed());
        assertFalse(f.entities.find(LAMP).orElseThrow().confirmed());
    }

    @Test
    void step11_hashPneOfAnotherPne_doesNotAuthenticate() {
        Pne tv = f.pne(TV);
        Pne phone = f.pne(PHONE);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false), phone.presence(false)));

        // the PN GW answers for the phone with the TV's hash_PNE
        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1,
                List.of(new PneProof(PHONE.value(), tv.proof(auth).hashPne()))));

        assertFalse(r.registered());
        assertTrue(r.results().stream().noneMatch(PneVerdict::authenticated));
    }

    @Test
    void step11_noPneAuthenticated_pnNotRegistered() {
        Pne tv = f.pne(TV);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false)));

        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1,
                List.of(new PneProof(TV.value(), flipped(tv.proof(auth).hashPne())))));

        assertFalse(r.registered());
        assertEquals(1, r.results().size());
        assertEquals(TV.value(), r.results().get(0).pneId());
        assertFalse(r.results().get(0).authenticated());
        assertNull(r.results().get(0).hashServer());
        assertTrue(f.pnStore.pn("pn-1").isEmpty());
        assertTrue(server.pn("pn-1").isEmpty());
        assertTrue(server.pnsOfGateway(GW_ALICE).isEmpty());
    }

    @Test
    void step11_laterBatch_addsItsPnesToTheSamePn() {
        establish(alicesGateway(), "pn-1", 1, f.pne(TV));
        establish(alicesGateway(), "pn-1", 2, f.pne(PHONE), f.pne(LAMP));

        assertEquals(List.of(LAMP, PHONE, TV), pnInStore("pn-1").members());
        assertEquals(1, server.pnsOfGateway(GW_ALICE).size());
    }

    @Test
    void step11_pneOfALegacySuite_isAuthenticatedInItsSuite() {
        Pne legacy = f.new Pne(PHONE, Suites.legacy());
        Map<EntityId, SecureSession> s = establish(alicesGateway(), "pn-1", 1, legacy);

        assertEquals("legacy-v1", s.get(PHONE).suiteName());
        assertEquals(List.of(PHONE), pnInStore("pn-1").members());
    }

    @Test
    void step12_hashServerVerifiesOnThePne_andSkPneIsTheSameOnBothSides() {
        Pne tv = f.pne(TV);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(true)));
        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(tv.proof(auth))));

        // step 14: the PNE authenticates the Server (confirm throws AUTH_FAILED on a bad hash_server)
        SecureSession sk = tv.handshake.confirm(byPne(r).get(TV.value()).hashServer());

        // SK_PNE: protected by the PNE, opened by the Server, answered under the same key
        byte[] data = "hello server".getBytes(StandardCharsets.UTF_8);
        RelayResponse answer = server.relay(alicesGateway(), relayOf("pn-1", sk, 7, new Ping(data)));
        Envelope e = sk.unprotect(codec.decode(answer.envelope()), codec);
        assertEquals(SERVER, e.src());
        assertEquals(TV, e.dst());
        assertEquals(7, e.id());
        assertArrayEquals(data, assertInstanceOf(Pong.class, e.body()).data());
    }

    @Test
    void step12_hashServerIsPerPne_andATamperedOneDoesNotVerify() {
        Pne tv = f.pne(TV);
        Pne phone = f.pne(PHONE);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false), phone.presence(false)));
        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(tv.proof(auth), phone.proof(auth))));
        byte[] tvHash = byPne(r).get(TV.value()).hashServer();
        byte[] phoneHash = byPne(r).get(PHONE.value()).hashServer();

        assertFalse(Arrays.equals(tvHash, phoneHash));
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(CpnsException.class, () -> phone.handshake.confirm(tvHash)).code());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(CpnsException.class, () -> tv.handshake.confirm(flipped(tvHash))).code());
    }

    @Test
    void step10_authenticationResponseForAnUnknownBatch_isUnknownPn() {
        Pne tv = f.pne(TV);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false)));
        List<PneProof> proofs = List.of(tv.proof(auth));

        refused(ErrorCode.UNKNOWN_PN, () -> server.authenticate(alicesGateway(), new PnAuthResponse("pn-9", 1, proofs)));
        refused(ErrorCode.UNKNOWN_PN, () -> server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 2, proofs)));
        // another PN GW cannot answer (or consume) this gateway's batch
        refused(ErrorCode.UNKNOWN_PN, () -> server.authenticate(gateway(GW_BOB, BOB), new PnAuthResponse("pn-1", 1, proofs)));

        assertTrue(server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, proofs)).registered());
    }

    @Test
    void step10_replayedAuthenticationResponse_isUnknownPn_theBatchIsConsumed() {
        Pne tv = f.pne(TV);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false)));
        PnAuthResponse resp = new PnAuthResponse("pn-1", 1, List.of(tv.proof(auth)));
        assertTrue(server.authenticate(alicesGateway(), resp).registered());

        refused(ErrorCode.UNKNOWN_PN, () -> server.authenticate(alicesGateway(), resp));
    }

    @Test
    void step10_failedAttempt_alsoConsumesTheBatch() {
        Pne tv = f.pne(TV);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false)));
        server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(new PneProof(TV.value(), new byte[32]))));

        // no second guess at hash_PNE against the same rand_server
        refused(ErrorCode.UNKNOWN_PN, () -> server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(tv.proof(auth)))));
        assertTrue(f.pnStore.pn("pn-1").isEmpty());
    }

    @Test
    void step10_authenticationResponseAfterThePendingTime_isUnknownPn() throws Exception {
        f.close();
        f = new PnServerFixture(dir.resolve("expiring"), Map.of("pendingSeconds", 0)); // a batch expires when created
        server = f.server;
        Pne tv = f.pne(TV);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false)));

        refused(ErrorCode.UNKNOWN_PN, () -> server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(tv.proof(auth)))));
        assertTrue(f.pnStore.pn("pn-1").isEmpty());
    }

    @Test
    void step11_pnTakenByAnotherGatewayMeanwhile_isForbidden() {
        Pne tvBob = f.pne(TV_BOB);
        Principal bob = gateway(GW_BOB, BOB);
        PnAuthRequest bobs = server.register(bob, registration("pn-1", 1, tvBob.presence(false))); // pn-1 is free now
        establish(alicesGateway(), "pn-1", 1, f.pne(TV)); // alice's PN GW registers pn-1 meanwhile

        refused(ErrorCode.FORBIDDEN, () -> server.authenticate(bob, new PnAuthResponse("pn-1", 1, List.of(tvBob.proof(bobs)))));
        assertEquals(List.of(TV), pnInStore("pn-1").members());
    }

    // ---- relay: PNE <-> Server end to end under SK_PNE, routed by PN ID ----

    @Test
    void relay_toAnUnknownPn_isUnknownPn() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        refused(ErrorCode.UNKNOWN_PN, () -> server.relay(alicesGateway(), relayOf("pn-9", tv, 1, new Ping(new byte[0]))));
    }

    @Test
    void relay_intoAnotherGatewaysPn_isForbidden() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        refused(ErrorCode.FORBIDDEN, () -> server.relay(gateway(GW_BOB, BOB), relayOf("pn-1", tv, 1, new Ping(new byte[0]))));
    }

    @Test
    void relay_fromANonMember_isForbidden() {
        Pne tv = f.pne(TV);
        Pne phone = f.pne(PHONE);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(false), phone.presence(false)));
        server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1,
                List.of(tv.proof(auth), new PneProof(PHONE.value(), new byte[32]))));
        assertEquals(List.of(TV), pnInStore("pn-1").members());

        // the phone failed authentication: not a member, whatever it sends
        Envelope fromPhone = new Envelope(PHONE, SERVER, 1, new Protected(1, new byte[48]));
        refused(ErrorCode.FORBIDDEN, () -> server.relay(alicesGateway(), new Relay("pn-1", codec.encode(fromPhone))));
        // and a member of another user is not a member of this PN either
        SecureSession tvBob = establish(gateway(GW_BOB, BOB), "pn-b", 1, f.pne(TV_BOB)).get(TV_BOB);
        refused(ErrorCode.FORBIDDEN, () -> server.relay(alicesGateway(), relayOf("pn-1", tvBob, 1, new Ping(new byte[0]))));
    }

    @Test
    void relay_notAddressedToTheServer_isForbidden() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        Envelope toElsewhere = new Envelope(TV, GW_ALICE, 1, new Protected(1, new byte[48]));
        refused(ErrorCode.FORBIDDEN, () -> server.relay(alicesGateway(), new Relay("pn-1", codec.encode(toElsewhere))));
        // the session still works afterwards
        assertInstanceOf(Pong.class, answerOf(tv, server.relay(alicesGateway(), relayOf("pn-1", tv, 2, new Ping(new byte[0])))));
    }

    @Test
    void relay_tamperedOrReplayedMessage_isForbidden() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        Relay good = relayOf("pn-1", tv, 1, new Ping(new byte[] {1, 2, 3}));
        Envelope outer = codec.decode(good.envelope());
        Protected p = (Protected) outer.body();
        Envelope tampered = new Envelope(outer.src(), outer.dst(), outer.id(), new Protected(p.seq(), flipped(p.ct())));

        refused(ErrorCode.FORBIDDEN, () -> server.relay(alicesGateway(), new Relay("pn-1", codec.encode(tampered))));
        assertInstanceOf(Pong.class, answerOf(tv, server.relay(alicesGateway(), good)));
        refused(ErrorCode.FORBIDDEN, () -> server.relay(alicesGateway(), good)); // same counter again
    }

    @Test
    void relay_ofAPnOrRelayMessage_isAnsweredWithUnexpectedMessage() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);

        Message a = answerOf(tv, server.relay(alicesGateway(), relayOf("pn-1", tv, 1, new PnMemberRemove("pn-1", PHONE.value()))));
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, assertInstanceOf(ErrorMessage.class, a).errorCode());
        Message b = answerOf(tv, server.relay(alicesGateway(), relayOf("pn-1", tv, 2, new Relay("pn-1", new byte[4]))));
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, assertInstanceOf(ErrorMessage.class, b).errorCode());
        assertEquals(List.of(TV), pnInStore("pn-1").members());
    }

    @Test
    void relay_pneInTwoPns_keepsTheSkPneOfEach() {
        SecureSession first = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        SecureSession second = establish(alicesGateway(), "pn-2", 1, f.pne(TV)).get(TV);

        // the PNE still holds SK_PNE of pn-1 for requests in pn-1 (PneClient.requestServer(pnId, ...))
        assertInstanceOf(Pong.class, answerOf(first, server.relay(alicesGateway(), relayOf("pn-1", first, 1, new Ping(new byte[0])))));
        assertInstanceOf(Pong.class, answerOf(second, server.relay(alicesGateway(), relayOf("pn-2", second, 1, new Ping(new byte[0])))));
    }

    // ---- SK_PNE kept across Server restarts (TS §5.3.3.1, D89) ----

    /** The Server restarted: this PnServer ends, a new one starts on the same database and secret store. */
    private void restartServer() {
        f.server.deactivate();
        f.server = f.newServer(Map.of("maxBatchPnes", MAX_BATCH));
        server = f.server;
    }

    @Test
    void relay_afterAServerRestart_worksWithTheSameSkPne_withoutAnewEstablishment() {
        Map<EntityId, SecureSession> s = establish(alicesGateway(), "pn-1", 1, f.pne(TV), f.pne(PHONE));
        SecureSession tv = s.get(TV);
        assertInstanceOf(Pong.class, answerOf(tv, server.relay(alicesGateway(), relayOf("pn-1", tv, 1, new Ping(new byte[0])))));

        restartServer();

        assertInstanceOf(Pong.class, answerOf(tv, server.relay(alicesGateway(), relayOf("pn-1", tv, 2, new Ping(new byte[0])))));
        SecureSession phone = s.get(PHONE); // never used before the restart
        assertInstanceOf(Pong.class, answerOf(phone, server.relay(alicesGateway(), relayOf("pn-1", phone, 1, new Ping(new byte[0])))));
    }

    @Test
    void relay_aMessageAcceptedBeforeARestart_isAReplayAfterIt() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        Relay first = relayOf("pn-1", tv, 1, new Ping(new byte[0]));
        assertInstanceOf(Pong.class, answerOf(tv, server.relay(alicesGateway(), first)));

        restartServer();

        refused(ErrorCode.FORBIDDEN, () -> server.relay(alicesGateway(), first)); // REPLAY inside: counter 1 recorded before use
        assertEquals(1, f.pnStore.session("pn-1", TV).orElseThrow().received());
    }

    @Test
    void relay_afterARestart_theServersSendCounterNeverGoesBack() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        long lastBefore = 0;
        for (int i = 1; i <= 3; i++) {
            RelayResponse r = server.relay(alicesGateway(), relayOf("pn-1", tv, i, new Ping(new byte[0])));
            lastBefore = ((Protected) codec.decode(r.envelope()).body()).seq();
            answerOf(tv, r);
        }
        assertEquals(io.cpns.session.SessionCounters.SEND_RESERVATION, f.pnStore.session("pn-1", TV).orElseThrow().sendLimit(),
                "one reservation covers the first sends");

        restartServer();

        RelayResponse after = server.relay(alicesGateway(), relayOf("pn-1", tv, 4, new Ping(new byte[0])));
        long seqAfter = ((Protected) codec.decode(after.envelope()).body()).seq();
        assertTrue(seqAfter > io.cpns.session.SessionCounters.SEND_RESERVATION && seqAfter > lastBefore,
                "send counter " + seqAfter + " continues after the reserved range, never reusing a nonce");
        assertInstanceOf(Pong.class, answerOf(tv, after)); // the PNE accepts it: its receive counter only rises
    }

    @Test
    void relay_ofAMemberWhoseSessionIsGone_isSessionGone_notForbidden() {
        SecureSession tv = establish(alicesGateway(), "pn-1", 1, f.pne(TV)).get(TV);
        f.pnStore.deleteSession("pn-1", TV); // e.g. a database restored from before its establishment
        restartServer();

        refused(ErrorCode.SESSION_GONE, () -> server.relay(alicesGateway(), relayOf("pn-1", tv, 1, new Ping(new byte[0]))));

        // PN Establishment again (seed 004 steps 1-15) cures it
        SecureSession again = establish(alicesGateway(), "pn-1", 2, f.pne(TV)).get(TV);
        assertInstanceOf(Pong.class, answerOf(again, server.relay(alicesGateway(), relayOf("pn-1", again, 1, new Ping(new byte[0])))));
    }

    @Test
    void storedSkPne_movedToAnotherPnesRow_doesNotOpen_andIsSessionGone() {
        Map<EntityId, SecureSession> s = establish(alicesGateway(), "pn-1", 1, f.pne(TV), f.pne(PHONE));
        var tvRow = f.pnStore.session("pn-1", TV).orElseThrow();
        var phoneRow = f.pnStore.session("pn-1", PHONE).orElseThrow();
        f.pnStore.putSession(new io.cpns.server.store.PnStore.PneSession("pn-1", PHONE, phoneRow.suite(), tvRow.sealedKey(), 0, 0,
                phoneRow.established()));
        restartServer();

        // not BAD_MAC, which would end the PN GW's session: the PNE's row is what is wrong, and a new PN Establishment replaces it
        refused(ErrorCode.SESSION_GONE, () -> server.relay(alicesGateway(), relayOf("pn-1", s.get(PHONE), 1, new Ping(new byte[0]))));
        SecureSession tv = s.get(TV);
        assertInstanceOf(Pong.class, answerOf(tv, server.relay(alicesGateway(), relayOf("pn-1", tv, 1, new Ping(new byte[0])))));
    }

    // ---- member removal (PN GW expels a PNE) ----

    @Test
    void removeMember_dropsThePneFromThePnInventory_andItsRelays() throws Exception {
        Map<EntityId, SecureSession> s = establish(alicesGateway(), "pn-1", 1, f.pne(TV), f.pne(PHONE));

        assertInstanceOf(Ack.class, server.removeMember(alicesGateway(), new PnMemberRemove("pn-1", PHONE.value())));
        server.awaitExpels();

        assertEquals(List.of(TV), pnInStore("pn-1").members());
        SecureSession phone = s.get(PHONE);
        refused(ErrorCode.FORBIDDEN, () -> server.relay(alicesGateway(), relayOf("pn-1", phone, 1, new Ping(new byte[0]))));
        SecureSession tv = s.get(TV);
        assertInstanceOf(Pong.class, answerOf(tv, server.relay(alicesGateway(), relayOf("pn-1", tv, 1, new Ping(new byte[0])))));

        // the last member gone, the PN is gone (as on the PN GW): relays to it are UNKNOWN_PN
        assertInstanceOf(Ack.class, server.removeMember(alicesGateway(), new PnMemberRemove("pn-1", TV.value())));
        server.awaitExpels();
        assertTrue(f.pnStore.pn("pn-1").isEmpty());
        refused(ErrorCode.UNKNOWN_PN, () -> server.relay(alicesGateway(), relayOf("pn-1", tv, 2, new Ping(new byte[0]))));
    }

    @Test
    void removeMember_ofAnUnknownPnOrAnotherGatewaysPn_isRefused() {
        establish(alicesGateway(), "pn-1", 1, f.pne(TV));

        refused(ErrorCode.UNKNOWN_PN, () -> server.removeMember(alicesGateway(), new PnMemberRemove("pn-9", TV.value())));
        refused(ErrorCode.FORBIDDEN, () -> server.removeMember(gateway(GW_BOB, BOB), new PnMemberRemove("pn-1", TV.value())));
        assertEquals(List.of(TV), pnInStore("pn-1").members());
    }

    /**
     * Issue 10 §1, TS §5.3.2 "When SG member PNE leaves or is expelled from Service Group, CPNS
     * Server updates Group Key": the PN GW's expel takes the PNE out of every Service Group, each
     * with a new Group Key; a group it was not in is not touched.
     */
    @Test
    void removeMember_expelsThePneFromEveryServiceGroup_eachWithANewGroupKey() throws Exception {
        var groups = f.groups();
        establish(alicesGateway(), "pn-1", 1, f.pne(TV), f.pne(PHONE), f.pne(LAMP));
        groups.create("sg-a", ALICE);
        groups.join("sg-a", List.of(TV, PHONE));
        groups.create("sg-b", ALICE);
        groups.join("sg-b", TV);
        groups.create("sg-c", ALICE);
        groups.join("sg-c", LAMP);
        ServiceGroup a = groups.group("sg-a").orElseThrow();
        ServiceGroup b = groups.group("sg-b").orElseThrow();
        ServiceGroup c = groups.group("sg-c").orElseThrow();

        assertInstanceOf(Ack.class, server.removeMember(alicesGateway(), new PnMemberRemove("pn-1", TV.value())));
        server.awaitExpels();

        ServiceGroup a2 = groups.group("sg-a").orElseThrow();
        ServiceGroup b2 = groups.group("sg-b").orElseThrow();
        assertEquals(List.of(PHONE), a2.members());
        assertEquals(a.epoch() + 1, a2.epoch());
        assertNotEquals(a.keyFingerprint(), a2.keyFingerprint());
        assertEquals(List.of(), b2.members());
        assertEquals(b.epoch() + 1, b2.epoch());
        assertEquals(c, groups.group("sg-c").orElseThrow(), "a group it was not in stays as it was");
        assertTrue(groups.groupsOf(TV).isEmpty());
        assertEquals(List.of(PHONE, LAMP).stream().sorted(java.util.Comparator.comparing(EntityId::value)).toList(),
                pnInStore("pn-1").members().stream().sorted(java.util.Comparator.comparing(EntityId::value)).toList());
        assertTrue(f.log.all().contains("out of Service Group sg-a"), f.log.all());
    }

    @Test
    void removeMember_ofAPneNotInThePn_changesNoGroup() throws Exception {
        var groups = f.groups();
        establish(alicesGateway(), "pn-1", 1, f.pne(TV));
        establish(alicesGateway(), "pn-2", 1, f.pne(PHONE));
        groups.create("sg-a", ALICE);
        groups.join("sg-a", PHONE);
        ServiceGroup a = groups.group("sg-a").orElseThrow();

        assertInstanceOf(Ack.class, server.removeMember(alicesGateway(), new PnMemberRemove("pn-1", PHONE.value())));
        server.awaitExpels();
        assertEquals(a, groups.group("sg-a").orElseThrow());
    }

    /**
     * {@code expel: false}: the PN GW never completed the PNE's registration (the Server's answer was
     * lost to a crash, D60): it leaves that PN, and nothing else changes. The last one out
     * takes the PN with it, as the PN GW never held it.
     */
    @Test
    void removeMember_notAnExpel_withdrawsThePneFromThatPnOnly_itsServiceGroupsStay() throws Exception {
        var groups = f.groups();
        establish(alicesGateway(), "pn-1", 1, f.pne(TV), f.pne(PHONE));
        groups.create("sg-a", ALICE);
        groups.join("sg-a", List.of(TV, PHONE));
        ServiceGroup a = groups.group("sg-a").orElseThrow();

        assertInstanceOf(Ack.class, server.removeMember(alicesGateway(), new PnMemberRemove("pn-1", TV.value(), false)));
        server.awaitExpels();
        assertEquals(a, groups.group("sg-a").orElseThrow(), "its groups and their key stay");
        assertEquals(List.of(PHONE), pnInStore("pn-1").members());
        assertInstanceOf(Ack.class, server.removeMember(alicesGateway(), new PnMemberRemove("pn-1", PHONE.value(), false)));
        assertTrue(server.pn("pn-1").isEmpty(), "a PN the PN GW never held is gone once empty");
        assertTrue(f.log.all().contains("withdrawn from PN pn-1"), f.log.all());
    }

    /**
     * Seed 003 "CPNS Server may check security level within PN": the PNE Info (Device Capabilities,
     * step 4) and the protection of the link that carried hash_PNE (step 10) are kept for each PNE
     * that authenticated, the PN GW Info (step 4) for the PN GW; none for a PNE that did not.
     */
    @Test
    void steps04and10_pneInfoWithItsLinkProtection_andPnGwInfo_areKept_forAuthenticatedPnesOnly() {
        PnServerFixture.Pne tv = f.pne(TV);
        PnServerFixture.Pne phone = f.pne(PHONE);
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, tv.presence(true), phone.presence(false)));
        PneProof tvProof = tv.proof(auth);
        PnRegisterResponse r = server.authenticate(alicesGateway(), new PnAuthResponse("pn-1", 1, List.of(
                new PneProof(TV.value(), tvProof.hashPne(), "tls"),
                new PneProof(PHONE.value(), new byte[tvProof.hashPne().length], "pan")))); // a wrong hash_PNE
        assertTrue(r.registered());

        io.cpns.api.server.PneInfo info = server.pneInfo(TV).orElseThrow();
        assertEquals(io.cpns.api.LinkProtection.TLS, info.protection());
        assertEquals(Map.of("ui", "true"), info.capabilities());
        assertEquals(GW_ALICE, info.gateway());
        assertTrue(server.pneInfo(PHONE).isEmpty(), "not authenticated: nothing kept");
        io.cpns.api.server.GatewayInfo gw = server.gatewayInfo(GW_ALICE).orElseThrow();
        assertEquals(Map.of("model", "stb-1"), gw.capabilities());
        assertEquals(Map.of("plan", "home"), gw.subscription());

        // an older PN GW that does not report the protection: unknown, which meets no minimum but none
        PnServerFixture.Pne tvAgain = f.pne(TV); // a new establishment: a new rand_PNE
        PnAuthRequest again = server.register(alicesGateway(), registration("pn-2", 1, tvAgain.presence(false)));
        assertTrue(server.authenticate(alicesGateway(), new PnAuthResponse("pn-2", 1, List.of(tvAgain.proof(again)))).registered());
        assertNull(server.pneInfo(TV).orElseThrow().protection());
    }

    @Test
    void step04_capabilitiesOutOfBounds_refuseThatPne_orTheWholeRequestForThePnGwsOwn() {
        PnServerFixture.Pne tv = f.pne(TV);
        PnePresence big = new PnePresence(PHONE.value(), Map.of("x", "y".repeat(RegistrationInfo.MAX_VALUE + 1)), List.of(),
                f.pne(PHONE).handshake.rand(), false, "modern-v1");
        PnAuthRequest auth = server.register(alicesGateway(), registration("pn-1", 1, big, tv.presence(false)));
        assertEquals(ErrorCode.INVALID_ARGUMENT.code(), keysOf(auth, PHONE).status());
        assertEquals(0, keysOf(auth, TV).status());
        refused(ErrorCode.INVALID_ARGUMENT, () -> server.register(alicesGateway(), new PnRegisterRequest("pn-2", 1,
                Map.of("", "no name"), Map.of(), List.of(tv.presence(false)))));
    }
}
