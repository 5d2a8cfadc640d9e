package io.cpns.pne;

import static io.cpns.pne.PneFixture.GW;
import static io.cpns.pne.PneFixture.PNE;
import static io.cpns.pne.PneFixture.SERVER;
import static io.cpns.pne.PneFixture.config;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.PnEstablishAck;
import io.cpns.api.message.PnEstablishNotify;
import io.cpns.api.message.PnInventoryPage;
import io.cpns.api.message.PnInventoryRequest;
import io.cpns.api.message.PnMember;
import io.cpns.api.message.PnSetupNotify;
import io.cpns.api.message.PnSetupNotifyResponse;
import io.cpns.api.message.PnSetupRequest;
import io.cpns.api.message.PnSetupResponse;
import io.cpns.api.message.PneAuthRequest;
import io.cpns.api.message.PneAuthResponse;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Relay;
import io.cpns.api.message.RelayResponse;
import io.cpns.api.message.SetupType;
import io.cpns.crypto.Randoms;
import io.cpns.pne.PneFixture.Link;
import io.cpns.session.ResponderHandshake;
import io.cpns.session.SecureSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The PNE's half of PN Establishment against a scripted PN GW: seed 004 §5.2.1.1 (PNE initiated:
 * steps 1, 6-9, 14) and §5.2.1.2 (PN GW initiated: steps 1-4, 7-10, 15-16).
 */
class PneClientTest {
    static final String PN = "pn-42";
    static final List<PnMember> INVENTORY = List.of(new PnMember(PNE.value(), Map.of("ui", "true"), List.of("movies")),
            new PnMember("radio-2", Map.of(), List.of()));

    @TempDir
    Path dir;
    PneFixture f;
    final List<PnState> joined = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        f = new PneFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private PneClient connected(PneConfig config, boolean panSecure) throws Exception {
        PneClient pne = f.client(config, panSecure);
        pne.onJoined(joined::add);
        return pne;
    }

    /** The typed error of a call that fails directly or in its stage. */
    private static CpnsException failure(Future<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> stage.get(10, SECONDS));
        return assertInstanceOf(CpnsException.class, e.getCause());
    }

    /** What the Server does in steps 5, 11 and 12 for this PNE: verify hash_PNE, compute hash_server and SK_PNE. */
    private ResponderHandshake.Result serverVerifies(byte[] randPne, byte[] randServer, PneAuthResponse answer) {
        return f.serverHandshake(randPne, randServer).verify(answer.hashPne()); // AUTH_FAILED if hash_PNE is wrong
    }

    private static byte[] flipped(byte[] b) {
        byte[] c = b.clone();
        c[c.length - 1] ^= 1;
        return c;
    }

    // ---- §5.2.1.1 step 1: PN Setup Request ----

    @ParameterizedTest(name = "UI {0}, PAN secure {1} -> LocalEUKey requested {2}")
    @CsvSource({"true, false, true", "false, false, false", "true, true, true", "false, true, false"})
    void step01_setupRequest_carriesTypeInviteesCapabilitiesContentsRandPne_andLocalEuKeyIffUi_whateverThePan(
            boolean ui, boolean panSecure, boolean expectLocalEuKey) throws Exception {
        f.withEuKey();
        PneClient pne = connected(config().withUi(ui).withCapabilities(Map.of("screen", "4k")), panSecure);
        Link link = f.acceptPlain();

        pne.setup(SetupType.INVITE, List.of("radio-2", "lamp-3"));
        Envelope e = link.receive();

        assertEquals(PNE, e.src());
        assertEquals(GW, e.dst());
        PnSetupRequest r = assertInstanceOf(PnSetupRequest.class, e.body());
        assertEquals(SetupType.INVITE, r.setupType());
        assertEquals(List.of("radio-2", "lamp-3"), r.invitees());
        assertEquals(Map.of("screen", "4k"), r.capabilities());
        assertEquals(List.of("movies"), r.contents());
        assertEquals(32, r.randPne().length);
        assertEquals(expectLocalEuKey, r.localEuKeyRequested());
        assertEquals("modern-v1", r.suite());
    }

    @Test
    void step01_withUiFalse_capabilitiesSayNoUi_andNoLocalEuKeyIsRequested() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config().withUi(false), false);
        Link link = f.acceptPlain();

        pne.setup(SetupType.ALL, List.of());
        PnSetupRequest r = (PnSetupRequest) link.receive().body();

        assertEquals(SetupType.ALL, r.setupType());
        assertEquals(List.of(), r.invitees());
        assertEquals("false", r.capabilities().get("ui"));
        assertFalse(r.localEuKeyRequested());
    }

    @Test
    void step01_withoutAnEuKey_aPneCannotSetUpAPn() throws Exception {
        PneClient pne = connected(config(), false);
        f.acceptPlain();

        CpnsException e = assertThrows(CpnsException.class, () -> pne.setup(SetupType.ONE_TO_ONE, List.of()));
        assertEquals(ErrorCode.NOT_AUTHENTICATED, e.code());
        assertTrue(pne.pns().isEmpty());
    }

    // ---- §5.2.1.1 steps 6-9 and 14, PNE initiated, with a LocalEUKey over PSK-TLS ----

    @Test
    void steps01to14_pneUnwrapsItsLocalEuKey_reconnectsUnderPskTls_answersHashPne_andAuthenticatesTheServer() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), false); // UI and an IP PAN without protection: LocalEUKey and PSK-TLS
        Link plain = f.acceptPlain();
        CompletableFuture<PnState> setup = pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture();
        Envelope request = plain.receive();
        PnSetupRequest r = (PnSetupRequest) request.body();
        assertTrue(r.localEuKeyRequested());

        // step 5 (Server): rand_server and the LocalEUKey, the PNE's copy wrapped under its EUKey
        byte[] randServer = Randoms.bytes(32);
        byte[] localEuKey = Randoms.bytes(32);
        long auth = plain.request(new PneAuthRequest(PN, randServer, f.suite.wrap(f.euKey, localEuKey)));

        // steps 6-7: the PNE stores the LocalEUKey and secures its link with it (PSK-TLS under its Entity ID)
        Link tls = f.acceptPsk(localEuKey);
        assertEquals(PNE.value(), tls.pskIdentity);
        assertArrayEquals(localEuKey, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow());

        // steps 8-11: hash_PNE, over the secured link, verifies with the PNE's EUKey and both random numbers
        PneAuthResponse answer = assertInstanceOf(PneAuthResponse.class, tls.answer(auth));
        ResponderHandshake.Result server = serverVerifies(r.randPne(), randServer, answer);

        // step 14: PN Setup Response with the PN Inventory and hash_server
        tls.send(request.reply(new PnSetupResponse(PN, true, INVENTORY, server.proof())));
        PnState state = setup.get(10, SECONDS);

        assertEquals(PN, state.pnId());
        assertEquals(INVENTORY, state.inventory());
        assertTrue(state.serverAuthenticated());
        assertEquals(List.of(state), pne.pns());
        assertEquals(List.of(state), joined);
        assertTrue(pne.secured());

        // SK_PNE is the same on both ends: a request protected by the PNE opens with the Server's session
        assertRelayUnderSkPne(pne, tls, server.session());
    }

    /**
     * Seed 004 R01 (D22): a PNE with UI on a secure PAN gets its LocalEUKey and keeps it, runs no
     * session with the PN GW there (the PAN protects the link), and once on a PAN that does not
     * protect messages secures its link with that key: PSK-TLS, then a relay to the Server under the
     * SK_PNE of the same PN, with no new PN Setup.
     */
    @Test
    void r01_withUiOnASecurePan_theLocalEuKeyIsKept_andSecuresTheLinkOnceThePanIsNot() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link plain = f.acceptPlain();
        CompletableFuture<PnState> setup = pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture();
        Envelope request = plain.receive();
        PnSetupRequest r = (PnSetupRequest) request.body();
        assertTrue(r.localEuKeyRequested(), "UI: a LocalEUKey whatever the PAN");

        byte[] randServer = Randoms.bytes(32);
        byte[] localEuKey = Randoms.bytes(32);
        long auth = plain.request(new PneAuthRequest(PN, randServer, f.suite.wrap(f.euKey, localEuKey)));
        // the PAN protects the link: hash_PNE comes back on it, no PNE-PN GW session
        ResponderHandshake.Result server = serverVerifies(r.randPne(), randServer, assertInstanceOf(PneAuthResponse.class, plain.answer(auth)));
        plain.send(request.reply(new PnSetupResponse(PN, true, INVENTORY, server.proof())));
        assertTrue(setup.get(10, SECONDS).serverAuthenticated());
        assertArrayEquals(localEuKey, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow());
        assertTrue(f.keys.get(PneClient.PREVIOUS_LOCAL_EUKEY).isEmpty(), "established: the PN GW settled");
        pne.close();

        // the same PNE (same store), now on a PAN that does not protect messages
        PneClient moved = new PneClient(config(), new IpTransport("127.0.0.1", f.port(), false), f.keys);
        CompletableFuture<Void> connecting = connectAsync(moved);
        Link tls = f.acceptPsk(localEuKey); // completes only if the PNE holds the PN GW's LocalEUKey
        connecting.get(10, SECONDS);
        assertEquals(PNE.value(), tls.pskIdentity);
        assertTrue(moved.secured());
        assertRelayUnderSkPne(moved, tls, server.session()); // a Relay, not a PN Setup Request
        moved.close();
    }

    /** The PNE's request to the Server through the PN GW (TS §5.3.3.1), answered under the Server's SK_PNE. */
    private void assertRelayUnderSkPne(PneClient pne, Link link, SecureSession serverSide) throws Exception {
        byte[] data = "are you the server?".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Message> call = CompletableFuture.supplyAsync(() -> pne.requestServer(PN, new Ping(data)));
        Envelope relayed = link.receive();
        Relay relay = assertInstanceOf(Relay.class, relayed.body());
        assertEquals(PN, relay.pnId());
        Envelope inner = serverSide.unprotect(f.codec.decode(relay.envelope()), f.codec); // BAD_MAC unless the same SK
        assertEquals(PNE, inner.src());
        assertEquals(SERVER, inner.dst());
        assertArrayEquals(data, assertInstanceOf(Ping.class, inner.body()).data());

        byte[] reply = f.codec.encode(serverSide.protect(inner.reply(new Pong(data)), f.codec));
        link.send(relayed.reply(new RelayResponse(reply)));
        assertArrayEquals(data, assertInstanceOf(Pong.class, call.get(10, SECONDS)).data());
    }

    @Test
    void step06_localEuKeyWrappedUnderAnotherKey_pneAnswersBadMac_andStoresNothing() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), false);
        Link plain = f.acceptPlain();
        pne.setup(SetupType.ONE_TO_ONE, List.of());
        plain.receive();

        long auth = plain.request(new PneAuthRequest(PN, Randoms.bytes(32), f.suite.wrap(Randoms.bytes(32), Randoms.bytes(32))));

        ErrorMessage error = assertInstanceOf(ErrorMessage.class, plain.answer(auth));
        assertEquals(ErrorCode.BAD_MAC, error.errorCode());
        assertTrue(f.keys.get(PneClient.LOCAL_EUKEY).isEmpty());
        // no reconnect under TLS: the plain link still carries requests
        long ping = plain.request(new Ping(new byte[] {7}));
        assertArrayEquals(new byte[] {7}, assertInstanceOf(Pong.class, plain.answer(ping)).data());
        assertFalse(pne.secured());
    }

    @Test
    void step14_forgedHashServer_setupFailsWithAuthFailed_andThePneKeepsNoPn() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true); // PAN secure: one plain link (and no LocalEUKey sent here)
        Link link = f.acceptPlain();
        CompletableFuture<PnState> setup = pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture();
        Envelope request = link.receive();
        PnSetupRequest r = (PnSetupRequest) request.body();
        byte[] randServer = Randoms.bytes(32);
        long auth = link.request(new PneAuthRequest(PN, randServer, null));
        PneAuthResponse answer = (PneAuthResponse) link.answer(auth);
        byte[] genuine = serverVerifies(r.randPne(), randServer, answer).proof();

        // an answer from something that does not hold the PNE's EUKey
        link.send(request.reply(new PnSetupResponse(PN, true, INVENTORY, flipped(genuine))));

        assertEquals(ErrorCode.AUTH_FAILED, failure(setup).code());
        assertTrue(pne.pns().isEmpty());
        assertTrue(pne.pn(PN).isEmpty());
        assertTrue(joined.isEmpty());
        assertTrue(f.keys.get(PneClient.LOCAL_EUKEY).isEmpty());
        // and no session with a "Server" it could not authenticate
        assertEquals(ErrorCode.NOT_AUTHENTICATED, assertThrows(CpnsException.class, () -> pne.requestServer(PN, new Ping(new byte[0]))).code());
    }

    @Test
    void step14_setupResponseNotAuthenticated_isAuthFailed() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();
        CompletableFuture<PnState> setup = pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture();
        Envelope request = link.receive();

        link.send(request.reply(new PnSetupResponse(PN, false, List.of(), null)));

        assertEquals(ErrorCode.AUTH_FAILED, failure(setup).code());
        assertTrue(pne.pns().isEmpty());
    }

    // ---- a PN Inventory too large for one message comes in pages (docs/protocol.md) ----

    static final List<PnMember> BIG = java.util.stream.IntStream.range(0, 5)
            .mapToObj(i -> new PnMember("pne-" + i, Map.of(), List.of())).toList();

    @Test
    void step14_pagedInventory_thePneFetchesTheRestBeforeTheSetupCompletes() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();
        CompletableFuture<PnState> setup = pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture();
        answerSetupWithFirstPage(link, 2);
        answerPage(link, 2, BIG.subList(2, 4));
        answerPage(link, 4, BIG.subList(4, 5));

        assertEquals(BIG, setup.get(10, SECONDS).inventory());
        assertEquals(BIG, pne.pn(PN).orElseThrow().inventory());
    }

    @Test
    void step14_aPageThatDoesNotAdvance_failsTheSetup_andThePneKeepsNoPn() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();
        CompletableFuture<PnState> setup = pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture();
        answerSetupWithFirstPage(link, 2);
        answerPage(link, 2, List.of()); // a PN GW that would keep the PNE asking forever

        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, failure(setup).code());
        assertTrue(pne.pns().isEmpty());
    }

    @Test
    void gwInitiated_step15_pagedInventory_isAckedAtOnce_andThePnIsThePnesWithTheWholeInventory() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();
        long notify = link.request(new PnSetupNotify(PN, GW.value()));
        PnSetupNotifyResponse joinAnswer = assertInstanceOf(PnSetupNotifyResponse.class, link.answer(notify));
        byte[] randServer = Randoms.bytes(32);
        long auth = link.request(new PneAuthRequest(PN, randServer, null));
        ResponderHandshake.Result server = serverVerifies(joinAnswer.randPne(), randServer,
                assertInstanceOf(PneAuthResponse.class, link.answer(auth)));

        long established = link.request(new PnEstablishNotify(PN, BIG.subList(0, 3), server.proof(), BIG.size()));
        assertTrue(assertInstanceOf(PnEstablishAck.class, link.answer(established)).serverAuthenticated());
        answerPage(link, 3, BIG.subList(3, 5));

        for (int i = 0; i < 500 && pne.pn(PN).isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertEquals(BIG, pne.pn(PN).orElseThrow().inventory());
    }

    /** Steps 1-14 on a secure PAN, step 14 carrying the first {@code first} members of {@link #BIG}. */
    private void answerSetupWithFirstPage(Link link, int first) throws Exception {
        Envelope request = link.receive();
        PnSetupRequest r = (PnSetupRequest) request.body();
        byte[] randServer = Randoms.bytes(32);
        long auth = link.request(new PneAuthRequest(PN, randServer, null));
        ResponderHandshake.Result server = serverVerifies(r.randPne(), randServer,
                assertInstanceOf(PneAuthResponse.class, link.answer(auth)));
        link.send(request.reply(new PnSetupResponse(PN, true, BIG.subList(0, first), server.proof(), BIG.size())));
    }

    /** The PNE asks for the page from {@code from}; the fake PN GW answers it. */
    private static void answerPage(Link link, int from, List<PnMember> members) throws Exception {
        Envelope ask = link.receive();
        assertEquals(new PnInventoryRequest(PN, from), ask.body());
        link.send(ask.reply(new PnInventoryPage(PN, from, BIG.size(), members)));
    }

    // ---- Group Keys (TS §5.3.2): unicast delivery from the PN GW ----

    @Test
    void groupKey_onAProtectedLink_isKept_newestEpochWins_andDeleteRemovesIt() throws Exception {
        PneClient pne = connected(config(), true); // a secure PAN protects the link
        Link link = f.acceptPlain();
        byte[] k5 = Randoms.bytes(32);
        assertInstanceOf(io.cpns.api.message.Ack.class, link.answer(link.request(new io.cpns.api.message.GroupKeyDeliver("sg-1", 5, k5))));
        link.answer(link.request(new io.cpns.api.message.GroupKeyDeliver("sg-1", 4, Randoms.bytes(32))));
        PneGroupKey held = pne.groupKey("sg-1").orElseThrow();
        assertEquals(5, held.epoch());
        assertArrayEquals(k5, held.key());

        link.answer(link.request(new io.cpns.api.message.GroupKeyDelete("sg-1")));
        assertTrue(pne.groupKey("sg-1").isEmpty());
    }

    @Test
    void groupKey_onAnUnprotectedLink_isRefused_andNotKept() throws Exception {
        PneClient pne = connected(config(), false); // an insecure PAN, and no key yet: a plain link
        Link link = f.acceptPlain();
        Message answer = link.answer(link.request(new io.cpns.api.message.GroupKeyDeliver("sg-1", 5, Randoms.bytes(32))));
        assertEquals(ErrorCode.FORBIDDEN, assertInstanceOf(io.cpns.api.message.ErrorMessage.class, answer).errorCode());
        assertTrue(pne.groupKey("sg-1").isEmpty());
    }

    /** Issue 12: before, a group.key.delete on a plain link deleted the key. Anybody on an insecure PAN could send one. */
    @Test
    void groupKeyDelete_onAnUnprotectedLink_isRefused_andTheKeyStays() throws Exception {
        PneClient pne = connected(config(), false); // an insecure PAN, and no key yet: a plain link
        Link link = f.acceptPlain();
        f.keys.put(PneGroupKeys.PREFIX + "sg-1", io.cpns.crypto.Bytes.concat(io.cpns.crypto.Bytes.longBE(5), Randoms.bytes(32)));
        List<String> deleted = new java.util.concurrent.CopyOnWriteArrayList<>();
        pne.onGroupKeyDelete(deleted::add);

        Message answer = link.answer(link.request(new io.cpns.api.message.GroupKeyDelete("sg-1")));
        assertEquals(ErrorCode.FORBIDDEN, assertInstanceOf(io.cpns.api.message.ErrorMessage.class, answer).errorCode());
        assertEquals(5, pne.groupKey("sg-1").orElseThrow().epoch());
        answer = link.answer(link.request(new io.cpns.api.message.GroupMembership(List.of())));
        assertEquals(ErrorCode.FORBIDDEN, assertInstanceOf(io.cpns.api.message.ErrorMessage.class, answer).errorCode());
        assertTrue(pne.groupKey("sg-1").isPresent());
        assertEquals(List.of(), deleted);
    }

    /** TS §5.3.2: the membership at link-up deletes the keys of groups deleted (or left) while the PNE was away, and says so. */
    @Test
    void groupMembership_onAProtectedLink_deletesTheKeysOfUnlistedGroups_andTellsTheListener() throws Exception {
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();
        List<String> deleted = new java.util.concurrent.CopyOnWriteArrayList<>();
        pne.onGroupKeyDelete(deleted::add);
        for (String g : List.of("sg-1", "sg-10", "sg-2")) {
            link.answer(link.request(new io.cpns.api.message.GroupKeyDeliver(g, 3, Randoms.bytes(32))));
        }
        assertInstanceOf(io.cpns.api.message.Ack.class, link.answer(link.request(new io.cpns.api.message.GroupMembership(List.of("sg-1")))));
        assertTrue(pne.groupKey("sg-1").isPresent());
        assertTrue(pne.groupKey("sg-10").isEmpty());
        assertTrue(pne.groupKey("sg-2").isEmpty());
        assertEquals(List.of("sg-10", "sg-2"), deleted);

        link.answer(link.request(new io.cpns.api.message.GroupKeyDelete("sg-1")));
        assertTrue(pne.groupKey("sg-1").isEmpty());
        assertEquals(List.of("sg-10", "sg-2", "sg-1"), deleted);
        link.answer(link.request(new io.cpns.api.message.GroupKeyDelete("sg-1"))); // nothing held: nothing to tell
        assertEquals(3, deleted.size());
    }

    // ---- §5.2.1.2 PN GW initiated ----

    @Test
    void gwInitiated_steps03to16_acceptsWithRandPne_answersHashPne_andAcksTheServerAuthenticated() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config().withCapabilities(Map.of("screen", "4k")), true);
        Link link = f.acceptPlain();

        // steps 1-3: PN Setup Request from the PN GW, answered with participation and rand_PNE
        long notify = link.request(new PnSetupNotify(PN, GW.value()));
        PnSetupNotifyResponse joinAnswer = assertInstanceOf(PnSetupNotifyResponse.class, link.answer(notify));
        assertTrue(joinAnswer.accept());
        assertEquals(32, joinAnswer.randPne().length);
        assertEquals(Map.of("screen", "4k"), joinAnswer.capabilities());
        assertEquals(List.of("movies"), joinAnswer.contents());
        assertTrue(joinAnswer.localEuKeyRequested(), "UI: asked for whatever the PAN (R01)");
        assertEquals("modern-v1", joinAnswer.suite());

        // steps 7-9: Authentication request, hash_PNE
        byte[] randServer = Randoms.bytes(32);
        long auth = link.request(new PneAuthRequest(PN, randServer, null));
        ResponderHandshake.Result server = serverVerifies(joinAnswer.randPne(), randServer,
                assertInstanceOf(PneAuthResponse.class, link.answer(auth)));
        assertTrue(f.keys.get(PneClient.LOCAL_EUKEY).isEmpty(), "no LocalEUKey was sent");

        // step 15: PN Establishment Notify with hash_server
        long established = link.request(new PnEstablishNotify(PN, INVENTORY, server.proof()));
        assertTrue(assertInstanceOf(PnEstablishAck.class, link.answer(established)).serverAuthenticated());

        PnState state = pne.pn(PN).orElseThrow();
        assertTrue(state.serverAuthenticated());
        assertEquals(INVENTORY, state.inventory());
        assertEquals(List.of(state), joined);
        assertRelayUnderSkPne(pne, link, server.session());
    }

    @Test
    void gwInitiated_step07_withUiOnAnUnprotectedPan_theLocalEuKeySecuresTheLink() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), false);
        Link plain = f.acceptPlain();
        long notify = plain.request(new PnSetupNotify(PN, GW.value()));
        PnSetupNotifyResponse joinAnswer = (PnSetupNotifyResponse) plain.answer(notify);
        assertTrue(joinAnswer.localEuKeyRequested());

        byte[] randServer = Randoms.bytes(32);
        byte[] localEuKey = Randoms.bytes(32);
        long auth = plain.request(new PneAuthRequest(PN, randServer, f.suite.wrap(f.euKey, localEuKey)));
        Link tls = f.acceptPsk(localEuKey);
        ResponderHandshake.Result server = serverVerifies(joinAnswer.randPne(), randServer, (PneAuthResponse) tls.answer(auth));

        long established = tls.request(new PnEstablishNotify(PN, INVENTORY, server.proof()));
        assertTrue(((PnEstablishAck) tls.answer(established)).serverAuthenticated());
        assertArrayEquals(localEuKey, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow());
        assertTrue(pne.pn(PN).orElseThrow().serverAuthenticated());
    }

    // ---- a PN GW that died during the key change (D31): it rolls the change back on start ----

    /** A PNE that shares {@code old} with the PN GW is invited, gets a new LocalEUKey and secures a link with it. */
    private PneClient switchedToANewKey(byte[] old, byte[] fresh) throws Exception {
        f.withEuKey();
        f.keys.put(PneClient.LOCAL_EUKEY, old);
        PneClient pne = new PneClient(config(), new IpTransport("127.0.0.1", f.port(), false), f.keys);
        CompletableFuture<Void> connecting = connectAsync(pne);
        Link first = f.acceptPsk(old);
        connecting.get(10, SECONDS);
        long notify = first.request(new PnSetupNotify(PN, GW.value()));
        assertTrue(((PnSetupNotifyResponse) first.answer(notify)).accept());
        long auth = first.request(new PneAuthRequest(PN, Randoms.bytes(32), f.suite.wrap(f.euKey, fresh)));
        Link second = f.acceptPsk(fresh); // steps 6-7: the PN GW saw the new key work, then the power went
        assertInstanceOf(PneAuthResponse.class, second.answer(auth));
        assertArrayEquals(fresh, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow());
        assertArrayEquals(old, f.keys.get(PneClient.PREVIOUS_LOCAL_EUKEY).orElseThrow(), "the replaced key stays until the PN is established");
        java.util.concurrent.CountDownLatch down = new java.util.concurrent.CountDownLatch(1);
        pne.onDisconnect(down::countDown);
        first.close();
        second.close(); // the power cut, as the PNE sees it
        assertTrue(down.await(10, SECONDS));
        return pne;
    }

    private static CompletableFuture<Void> connectAsync(PneClient pne) {
        return CompletableFuture.runAsync(() -> {
            try {
                pne.connect(GW);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void crash_thePnGwRolledTheNewKeyBack_thePneFallsBackToThePreviousOne_andKeepsIt() throws Exception {
        byte[] old = Randoms.bytes(32);
        PneClient pne = switchedToANewKey(old, Randoms.bytes(32));

        CompletableFuture<Void> reconnect = connectAsync(pne); // the restarted PN GW holds the old key only
        assertThrows(java.io.IOException.class, () -> f.acceptPsk(old), "the new key fails PSK-TLS");
        f.acceptPsk(old);
        reconnect.get(10, SECONDS);
        assertTrue(pne.secured());
        assertArrayEquals(old, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow(), "the PNE holds what its PN GW holds");
        assertTrue(f.keys.get(PneClient.PREVIOUS_LOCAL_EUKEY).isEmpty());
        pne.close();
    }

    /**
     * R01 on a secure PAN: no handshake shows which key the PN GW holds, so the PNE keeps the key of
     * the last settled establishment as the fallback; a PN GW that died before step 15 rolled back
     * to it, and the PNE, later on an insecure PAN, secures its link with it.
     */
    @Test
    void crash_onASecurePan_thePnGwRolledTheNewKeyBack_thePneFallsBackToTheSettledOne() throws Exception {
        f.withEuKey();
        byte[] old = Randoms.bytes(32);
        byte[] fresh = Randoms.bytes(32);
        f.keys.put(PneClient.LOCAL_EUKEY, old); // settled by an earlier PN Establishment
        PneClient pne = connected(config(), true);
        Link plain = f.acceptPlain();
        long notify = plain.request(new PnSetupNotify(PN, GW.value()));
        assertTrue(((PnSetupNotifyResponse) plain.answer(notify)).accept());
        long auth = plain.request(new PneAuthRequest(PN, Randoms.bytes(32), f.suite.wrap(f.euKey, fresh)));
        assertInstanceOf(PneAuthResponse.class, plain.answer(auth));
        assertArrayEquals(fresh, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow());
        assertArrayEquals(old, f.keys.get(PneClient.PREVIOUS_LOCAL_EUKEY).orElseThrow(), "the settled key stays until step 15");
        pne.close(); // the PN GW died before step 15

        PneClient moved = new PneClient(config(), new IpTransport("127.0.0.1", f.port(), false), f.keys);
        CompletableFuture<Void> reconnect = connectAsync(moved);
        assertThrows(java.io.IOException.class, () -> f.acceptPsk(old), "the new key fails PSK-TLS");
        f.acceptPsk(old);
        reconnect.get(10, SECONDS);
        assertTrue(moved.secured());
        assertArrayEquals(old, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow(), "the PNE holds what its PN GW holds");
        assertTrue(f.keys.get(PneClient.PREVIOUS_LOCAL_EUKEY).isEmpty());
        moved.close();
    }

    @Test
    void crash_thePnGwKeptTheNewKey_thePneUsesIt_andDropsThePreviousOnceThePnIsEstablished() throws Exception {
        byte[] fresh = Randoms.bytes(32);
        PneClient pne = switchedToANewKey(Randoms.bytes(32), fresh);

        CompletableFuture<Void> reconnect = connectAsync(pne);
        Link link = f.acceptPsk(fresh);
        reconnect.get(10, SECONDS);
        assertArrayEquals(fresh, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow());
        assertTrue(f.keys.get(PneClient.PREVIOUS_LOCAL_EUKEY).isPresent(), "not yet: the PN GW may still roll back");

        long notify = link.request(new PnSetupNotify("pn-next", GW.value())); // the next establishment completes
        PnSetupNotifyResponse join = (PnSetupNotifyResponse) link.answer(notify);
        byte[] randServer = Randoms.bytes(32);
        long auth = link.request(new PneAuthRequest("pn-next", randServer, null));
        ResponderHandshake.Result server = serverVerifies(join.randPne(), randServer, (PneAuthResponse) link.answer(auth));
        long established = link.request(new PnEstablishNotify("pn-next", INVENTORY, server.proof()));
        assertTrue(((PnEstablishAck) link.answer(established)).serverAuthenticated());
        assertTrue(f.keys.get(PneClient.PREVIOUS_LOCAL_EUKEY).isEmpty(), "hash_server verified: the PN GW settled");
        assertArrayEquals(fresh, f.keys.get(PneClient.LOCAL_EUKEY).orElseThrow());
        pne.close();
    }

    @Test
    void gwInitiated_step03_withAcceptInvitationsFalse_thePneDeclines() throws Exception {
        f.withEuKey();
        connected(config().withAcceptInvitations(false), true);
        Link link = f.acceptPlain();

        long notify = link.request(new PnSetupNotify(PN, GW.value()));
        PnSetupNotifyResponse answer = assertInstanceOf(PnSetupNotifyResponse.class, link.answer(notify));

        assertFalse(answer.accept());
        assertNull(answer.randPne());
        // nothing under way for that PN: an Authentication request for it is unexpected
        long auth = link.request(new PneAuthRequest(PN, Randoms.bytes(32), null));
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, assertInstanceOf(ErrorMessage.class, link.answer(auth)).errorCode());
    }

    @Test
    void gwInitiated_step03_aPneWithoutAnEuKey_declines() throws Exception {
        connected(config(), true);
        Link link = f.acceptPlain();

        long notify = link.request(new PnSetupNotify(PN, GW.value()));

        assertFalse(assertInstanceOf(PnSetupNotifyResponse.class, link.answer(notify)).accept());
    }

    /** Plays §5.2.1.2 up to step 15 and returns the PNE's answer to a PN Establishment Notify with a forged hash_server. */
    private Message establishWithForgedHashServer(PneClient pne, Link link) throws Exception {
        long notify = link.request(new PnSetupNotify(PN, GW.value()));
        PnSetupNotifyResponse joinAnswer = (PnSetupNotifyResponse) link.answer(notify);
        byte[] randServer = Randoms.bytes(32);
        long auth = link.request(new PneAuthRequest(PN, randServer, null));
        byte[] genuine = serverVerifies(joinAnswer.randPne(), randServer, (PneAuthResponse) link.answer(auth)).proof();
        long established = link.request(new PnEstablishNotify(PN, INVENTORY, flipped(genuine)));
        return link.answer(established);
    }

    @Test
    void gwInitiated_step15_forgedHashServer_thePneDoesNotJoin() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();

        Message answer = establishWithForgedHashServer(pne, link);

        assertNotEquals(new PnEstablishAck(true), answer, "the PNE must not acknowledge a Server it did not authenticate");
        assertTrue(pne.pns().isEmpty());
        assertTrue(joined.isEmpty());
    }

    @Test
    void gwInitiated_step15_forgedHashServer_isAckedServerAuthenticatedFalse() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();

        Message answer = establishWithForgedHashServer(pne, link);

        assertEquals(new PnEstablishAck(false), answer);
        assertTrue(pne.pns().isEmpty());
    }

    @Test
    void gwInitiated_step15_notifyForAPnNeverSetUp_isAckedFalse() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();

        long established = link.request(new PnEstablishNotify("pn-unknown", INVENTORY, Randoms.bytes(32)));

        assertEquals(new PnEstablishAck(false), link.answer(established));
        assertTrue(pne.pns().isEmpty());
    }

    // ---- EUKey assignment precondition (TS §5.3.1) ----

    @Test
    void assignEuKey_whenThePneAlreadyHasOne_isAlreadyAssigned_andWipesThePassword() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        char[] password = "secret-pw".toCharArray();

        CpnsException e = assertThrows(CpnsException.class, () -> pne.assignEuKey("alice", password));

        assertEquals(ErrorCode.ALREADY_ASSIGNED, e.code());
        assertArrayEquals(new char[password.length], password);
        assertArrayEquals(f.euKey, f.keys.get(PneClient.EUKEY).orElseThrow(), "the EUKey is kept");
    }

    // ---- TS §5.3.3.1: the session follows from source and destination ----

    @Test
    void call_toTheGateway_usesThisLink_toAnotherPne_isRefused_toTheServer_needsSkPneOfThePn() throws Exception {
        PneClient pne = connected(config(), false);
        Link link = f.acceptPlain();
        CompletableFuture<Message> toGateway = CompletableFuture.supplyAsync(() -> pne.call(GW, null, new Ping(new byte[] {4})));
        Envelope e = link.receive();
        assertEquals(GW, e.dst());
        link.send(new Envelope(GW, PNE, e.id(), new Pong(((Ping) e.body()).data())));
        assertArrayEquals(new byte[] {4}, ((Pong) toGateway.get(10, SECONDS)).data());

        CpnsException toPne = assertThrows(CpnsException.class,
                () -> pne.call(io.cpns.api.EntityId.of("radio-2"), null, new Ping(new byte[0])));
        assertEquals(ErrorCode.INVALID_ARGUMENT, toPne.code());
        CpnsException toServer = assertThrows(CpnsException.class, () -> pne.call(SERVER, "pn-none", new Ping(new byte[0])));
        assertEquals(ErrorCode.NOT_AUTHENTICATED, toServer.code()); // no SK_PNE: this PNE is in no PN
    }

    // ---- threading: a callback on a returned stage runs off the reader thread (issue 13 §2) ----

    @Test
    void threading_aCallbackOnARequestsStage_mayCallTheClientSynchronously_theReaderStillReadsTheAnswer() throws Exception {
        PneClient pne = connected(config(), false);
        Link link = f.acceptPlain();
        List<String> ranOn = new CopyOnWriteArrayList<>();
        CompletableFuture<Pong> nested = pne.request(new Ping(new byte[] {1}), java.time.Duration.ofSeconds(10)).thenApply(first -> {
            ranOn.add(Thread.currentThread().getName());
            return pne.ping(); // a second, synchronous round trip from inside the callback
        });
        Envelope first = link.receive(); // attached before the answer exists: the callback runs where the stage completes
        link.send(new Envelope(GW, PNE, first.id(), new Pong(((Ping) first.body()).data())));
        Envelope second = link.receive();
        assertInstanceOf(Ping.class, second.body());
        link.send(new Envelope(GW, PNE, second.id(), new Pong(new byte[] {2})));
        // on the reader thread the callback would wait for an answer only that thread can read: TIMEOUT
        assertArrayEquals(new byte[] {2}, nested.get(30, SECONDS).data());
        assertFalse(ranOn.get(0).startsWith("cpns-pne-reader-"), "ran on " + ranOn);
    }

    @Test
    void threading_anOnJoinedListener_mayCallTheClientSynchronously() throws Exception {
        f.withEuKey();
        PneClient pne = connected(config(), true);
        Link link = f.acceptPlain();
        List<Pong> pongs = new CopyOnWriteArrayList<>();
        pne.onJoined(s -> pongs.add(pne.ping())); // a round trip to the PN GW from inside the listener
        CompletableFuture<PnState> setup = pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture();
        answerSetupWithFirstPage(link, BIG.size()); // the whole inventory at once: the PNE joins when the answer is read
        Envelope ping = link.receive();
        assertInstanceOf(Ping.class, ping.body());
        link.send(ping.reply(new Pong(new byte[] {7})));

        assertEquals(BIG, setup.get(30, SECONDS).inventory()); // on the reader thread the listener's ping timed out, and so did the setup
        assertArrayEquals(new byte[] {7}, pongs.get(0).data());
    }
}
