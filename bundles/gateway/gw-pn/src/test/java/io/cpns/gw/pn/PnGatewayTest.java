package io.cpns.gw.pn;

import static io.cpns.gw.pn.PnFixture.errorOf;
import static io.cpns.gw.pn.PnFixture.from;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.PnMemberRecord;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.PnAuthRequest;
import io.cpns.api.message.PnAuthResponse;
import io.cpns.api.message.PnEstablishAck;
import io.cpns.api.message.PnEstablishNotify;
import io.cpns.api.message.PnInventoryPage;
import io.cpns.api.message.PnInventoryRequest;
import io.cpns.api.message.PnMember;
import io.cpns.api.message.PnMemberRemove;
import io.cpns.api.message.PnRegisterRequest;
import io.cpns.api.message.PnRegisterResponse;
import io.cpns.api.message.PnSetupNotify;
import io.cpns.api.message.PnSetupNotifyResponse;
import io.cpns.api.message.PnSetupRequest;
import io.cpns.api.message.PnSetupResponse;
import io.cpns.api.message.PneAuthRequest;
import io.cpns.api.message.PneAuthResponse;
import io.cpns.api.message.PneKeys;
import io.cpns.api.message.PneProof;
import io.cpns.api.message.PneVerdict;
import io.cpns.api.message.Relay;
import io.cpns.api.message.RelayResponse;
import io.cpns.api.message.SetupType;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.testkit.RecordingPneMessenger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PN Establishment at the PN GW as seed 004 §5.2.1.1 (PNE initiated) tells it, step by step, and
 * what the PN GW does with an established PN: relay, PN Inventory pages, expel.
 */
class PnGatewayTest {
    static final EntityId PNE1 = EntityId.of("pne-1"); // invited, on a secure PAN
    static final EntityId PNE2 = EntityId.of("pne-2"); // initiator, on an IP PAN with a secure session
    static final EntityId PNE3 = EntityId.of("pne-3"); // not in the PN
    final MessageCodec codec = new MessageCodec();

    @TempDir
    Path dir;
    PnFixture f;

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    /** What one establishment left behind, for the tests that go on from there. */
    record Established(String pnId, PnSetupResponse response, PnEstablishNotify establishNotify, byte[] lek2) {
    }

    /** Seed 004 §5.2.1.1 steps 1-15, as the PN GW takes part in them. */
    @Test
    void s5211PneInitiatedSetupSteps1To15() throws Exception {
        f = new PnFixture(dir);
        Established e = establish();
        // step 13: the PN GW stores the PN Inventory locally, and it survives a restart
        PnRecord pn = f.gateway.pn(e.pnId).orElseThrow();
        assertEquals(List.of("pne-1", "pne-2"), pn.members().stream().map(PnMemberRecord::pneId).toList());
        assertEquals("pne-2", pn.initiator());
        assertEquals(List.of(pn.pnId()), f.start(Map.of()).pns().stream().map(PnRecord::pnId).toList());
        // step 14: PN Setup Response to the initiator, with its hash_server and the PN Inventory
        assertTrue(e.response.authenticated());
        assertEquals(e.pnId, e.response.pnId());
        assertArrayEquals(hashServer(PNE2), e.response.hashServer());
        assertEquals(List.of("pne-1", "pne-2"), e.response.inventory().stream().map(PnMember::pneId).toList());
        // step 15: PN Establishment Notify to the invited PNE, with its own hash_server
        assertArrayEquals(hashServer(PNE1), e.establishNotify.hashServer());
        assertEquals(2, e.establishNotify.inventory().size());
        // step 6: the LocalEUKey the Server wrapped under this PN GW's EUKey is stored, unwrapped
        assertArrayEquals(e.lek2, f.secrets.get(KeyStoreAliases.localEuKey("pne-2")).orElseThrow());
    }

    /** Steps 1-15 with the relay steps checked message by message; returns what a test goes on from. */
    private Established establish() throws Exception {
        // step 1: PNE #2 asks for a PN with PNE #1
        CompletionStage<Message> setup = f.gateway.pneInitiated(from(PNE2, LinkProtection.SESSION, new PnSetupRequest(SetupType.INVITE,
                List.of("pne-1"), Map.of("ui", "yes"), List.of("video"), rand(PNE2), true, null)));
        // step 2: PN Setup Notify to PNE #1; step 3: it accepts
        RecordingPneMessenger.Sent notify = f.pnes.next(PnSetupNotify.class);
        assertEquals(PNE1, notify.pne());
        PnSetupNotify n = (PnSetupNotify) notify.message();
        assertEquals("pne-2", n.initiator());
        String pnId = n.pnId();
        notify.answer(LinkProtection.PAN, new PnSetupNotifyResponse(true, Map.of("ui", "no"), List.of("audio"), rand(PNE1), false, null));
        // step 4: PN Registration to the Server with both PNEs' rand_PNE; step 5: the Server's Authentication request
        byte[] lek2 = Randoms.bytes(32);
        byte[] lek2ForPne = Randoms.bytes(40);
        byte[] randServer = Randoms.bytes(16);
        PnRegisterRequest reg = f.server.next(PnRegisterRequest.class, r -> new PnAuthRequest(r.pnId(), r.batch(), randServer, List.of(
                new PneKeys("pne-2", 0, lek2ForPne, Suites.modern().wrap(f.euKey, lek2)),
                new PneKeys("pne-1", 0, null, null))));
        assertEquals(pnId, reg.pnId());
        assertEquals(Map.of("device", "home-gateway"), reg.gatewayCapabilities());
        assertEquals(List.of("pne-2", "pne-1"), reg.pnes().stream().map(p -> p.pneId()).toList());
        assertArrayEquals(rand(PNE1), reg.pnes().get(1).randPne());
        // steps 6-7: the Authentication request relayed to each PNE; PNE #2 gets its copy of the LocalEUKey
        Map<EntityId, RecordingPneMessenger.Sent> auth = f.pnes.next(PneAuthRequest.class, 2);
        PneAuthRequest a2 = (PneAuthRequest) auth.get(PNE2).message();
        assertArrayEquals(lek2ForPne, a2.wrappedLocalEuKey());
        assertArrayEquals(randServer, a2.randServer());
        assertNull(((PneAuthRequest) auth.get(PNE1).message()).wrappedLocalEuKey());
        // steps 8-9: each answers with hash_PNE, PNE #2 over the session it secured with its new LocalEUKey
        auth.get(PNE2).answer(LinkProtection.SESSION, new PneAuthResponse(hashPne(PNE2)));
        auth.get(PNE1).answer(LinkProtection.PAN, new PneAuthResponse(hashPne(PNE1)));
        // step 10: the answers relayed to the Server, with the link that carried each; steps 11-12: its verdicts
        PnAuthResponse proofs = f.server.next(PnAuthResponse.class, r -> new PnRegisterResponse(r.pnId(), r.batch(), true, List.of(
                new PneVerdict("pne-2", true, hashServer(PNE2)), new PneVerdict("pne-1", true, hashServer(PNE1)))));
        Map<String, PneProof> byPne = new java.util.HashMap<>();
        proofs.results().forEach(p -> byPne.put(p.pneId(), p));
        assertArrayEquals(hashPne(PNE2), byPne.get("pne-2").hashPne());
        assertEquals("session", byPne.get("pne-2").protection());
        assertEquals("pan", byPne.get("pne-1").protection());
        // step 15 to PNE #1 (sent before step 14 completes)
        RecordingPneMessenger.Sent established = f.pnes.next(PnEstablishNotify.class);
        assertEquals(PNE1, established.pne());
        established.answer(LinkProtection.PAN, new PnEstablishAck(true));
        PnSetupResponse response = assertInstanceOf(PnSetupResponse.class, PnFixture.await(setup));
        return new Established(pnId, response, (PnEstablishNotify) established.message(), lek2);
    }

    /** Seed 004 §5.2.1.2 (PN GW initiated, setup type All): steps 1-16 with two PNEs on protected links. */
    @Test
    void s5212GatewayInitiatedSetupSteps1To16() throws Exception {
        f = new PnFixture(dir);
        f.pnes.links.add(RecordingPneMessenger.link(PNE1, LinkProtection.PAN));
        f.pnes.links.add(RecordingPneMessenger.link(PNE2, LinkProtection.SESSION));
        assertEquals(ErrorCode.INVALID_ARGUMENT, errorOf(f.gateway.establish(SetupType.ONE_TO_ONE, List.of())));
        CompletionStage<PnRecord> pn = f.gateway.establish(SetupType.ALL, List.of());
        // steps 1-4: PN Setup to every linked PNE, the PN GW as initiator; both take part
        Map<EntityId, RecordingPneMessenger.Sent> setup = f.pnes.next(PnSetupNotify.class, 2);
        String pnId = ((PnSetupNotify) setup.get(PNE1).message()).pnId();
        assertEquals("gw-home", ((PnSetupNotify) setup.get(PNE2).message()).initiator());
        setup.get(PNE1).answer(LinkProtection.PAN, new PnSetupNotifyResponse(true, Map.of(), List.of(), rand(PNE1), false, null));
        setup.get(PNE2).answer(LinkProtection.SESSION, new PnSetupNotifyResponse(true, Map.of(), List.of(), rand(PNE2), false, null));
        // step 5: PN Registration; step 6: the Server's Authentication request (no LocalEUKey asked for)
        PnRegisterRequest reg = f.server.next(PnRegisterRequest.class, r -> new PnAuthRequest(r.pnId(), r.batch(), Randoms.bytes(16),
                List.of(new PneKeys("pne-1", 0, null, null), new PneKeys("pne-2", 0, null, null))));
        assertEquals(pnId, reg.pnId());
        // steps 7-10: relayed to each PNE, each answers with hash_PNE
        Map<EntityId, RecordingPneMessenger.Sent> auth = f.pnes.next(PneAuthRequest.class, 2);
        auth.get(PNE1).answer(LinkProtection.PAN, new PneAuthResponse(hashPne(PNE1)));
        auth.get(PNE2).answer(LinkProtection.SESSION, new PneAuthResponse(hashPne(PNE2)));
        // steps 11-13: relayed to the Server, which authenticates both
        f.server.next(PnAuthResponse.class, r -> new PnRegisterResponse(r.pnId(), r.batch(), true, List.of(
                new PneVerdict("pne-1", true, hashServer(PNE1)), new PneVerdict("pne-2", true, hashServer(PNE2)))));
        // steps 15-16: PN Establishment Notify to both, each with its own hash_server
        Map<EntityId, RecordingPneMessenger.Sent> notify = f.pnes.next(PnEstablishNotify.class, 2);
        assertArrayEquals(hashServer(PNE1), ((PnEstablishNotify) notify.get(PNE1).message()).hashServer());
        assertArrayEquals(hashServer(PNE2), ((PnEstablishNotify) notify.get(PNE2).message()).hashServer());
        // step 14: the PN Inventory stored, and the PN is what establish() completes with
        PnRecord record = PnFixture.await(pn);
        assertEquals(pnId, record.pnId());
        assertEquals("gw-home", record.initiator());
        assertEquals(List.of("pne-1", "pne-2"), record.members().stream().map(PnMemberRecord::pneId).toList());
        assertEquals(record, f.gateway.pn(pnId).orElseThrow());
    }

    /**
     * Seed 004 R01 (steps 8-10): a PNE that answers the Authentication request outside a secure
     * session, on a PAN that does not protect it, is not relayed to the Server and does not join;
     * its new LocalEUKey is not kept.
     */
    @Test
    void s5211Step8AnswerOnAnUnprotectedLinkIsRefused() throws Exception {
        f = new PnFixture(dir);
        CompletionStage<Message> setup = f.gateway.pneInitiated(from(PNE2, LinkProtection.SESSION, new PnSetupRequest(SetupType.INVITE,
                List.of("pne-1"), Map.of(), List.of(), rand(PNE2), true, null)));
        f.pnes.next(PnSetupNotify.class).answer(LinkProtection.PAN, new PnSetupNotifyResponse(true, Map.of(), List.of(), rand(PNE1), false,
                null));
        f.server.next(PnRegisterRequest.class, r -> new PnAuthRequest(r.pnId(), r.batch(), Randoms.bytes(16), List.of(
                new PneKeys("pne-2", 0, Randoms.bytes(40), Suites.modern().wrap(f.euKey, Randoms.bytes(32))),
                new PneKeys("pne-1", 0, null, null))));
        Map<EntityId, RecordingPneMessenger.Sent> auth = f.pnes.next(PneAuthRequest.class, 2);
        auth.get(PNE2).answer(LinkProtection.NONE, new PneAuthResponse(hashPne(PNE2))); // not over its session
        auth.get(PNE1).answer(LinkProtection.PAN, new PneAuthResponse(hashPne(PNE1)));
        PnAuthResponse proofs = f.server.next(PnAuthResponse.class, r -> new PnRegisterResponse(r.pnId(), r.batch(), true,
                List.of(new PneVerdict("pne-1", true, hashServer(PNE1)))));
        assertEquals(List.of("pne-1"), proofs.results().stream().map(PneProof::pneId).toList());
        PnSetupResponse response = assertInstanceOf(PnSetupResponse.class, PnFixture.await(setup));
        assertFalse(response.authenticated(), "the initiator did not join");
        assertEquals(List.of("pne-1"), f.gateway.pn(response.pnId()).orElseThrow().members().stream().map(PnMemberRecord::pneId).toList());
        assertTrue(f.secrets.get(KeyStoreAliases.localEuKey("pne-2")).isEmpty(), "no LocalEUKey kept for a PNE that did not join");
        assertTrue(f.log.all().contains("PNE pne-2 answered outside a session with its new LocalEUKey"), f.log.all());
    }

    /** An invited PNE that declines (step 3) is not registered with the Server (step 4). */
    @Test
    void s5211Step3DeclinedInviteeIsNotRegistered() throws Exception {
        f = new PnFixture(dir);
        f.gateway.pneInitiated(from(PNE2, LinkProtection.SESSION, new PnSetupRequest(SetupType.INVITE, List.of("pne-1"), Map.of(),
                List.of(), rand(PNE2), false, null)));
        f.pnes.next(PnSetupNotify.class).answer(LinkProtection.PAN, new PnSetupNotifyResponse(false, Map.of(), List.of(), null, false, null));
        PnRegisterRequest reg = f.server.next(PnRegisterRequest.class, null);
        assertEquals(List.of("pne-2"), reg.pnes().stream().map(p -> p.pneId()).toList());
    }

    /** No link to the Server (gw-link being updated): step 4 cannot happen, the initiator hears UNAVAILABLE. */
    @Test
    void s5211Step4WithoutServerLinkIsUnavailable() throws Exception {
        f = new PnFixture(dir);
        f.unbindServer();
        CompletionStage<Message> setup = f.gateway.pneInitiated(from(PNE2, LinkProtection.SESSION, new PnSetupRequest(
                SetupType.ONE_TO_ONE, List.of(), Map.of(), List.of(), rand(PNE2), false, null)));
        assertEquals(ErrorCode.UNAVAILABLE, errorOf(setup));
        assertTrue(f.gateway.pns().isEmpty());
    }

    /** The link is bound but down: the registration batch fails, no PN is stored, the initiator is told it did not join. */
    @Test
    void s5211Step4ServerDownNoPn() throws Exception {
        f = new PnFixture(dir);
        f.server.up = false;
        CompletionStage<Message> setup = f.gateway.pneInitiated(from(PNE2, LinkProtection.SESSION, new PnSetupRequest(
                SetupType.ONE_TO_ONE, List.of(), Map.of(), List.of(), rand(PNE2), true, null)));
        PnSetupResponse r = assertInstanceOf(PnSetupResponse.class, PnFixture.await(setup));
        assertFalse(r.authenticated());
        assertTrue(f.gateway.pns().isEmpty());
        assertTrue(f.secrets.aliases(KeyStoreAliases.LOCAL_EUKEY).isEmpty());
        assertTrue(f.log.all().contains("batch 1 (1 PNEs) failed"), f.log.all());
    }

    /** Relay (routing by PN ID, seed 004 step 4's routing table): a member's own message, over a protected link, to the Server and back. */
    @Test
    void relaysAMembersMessageToTheServer() throws Exception {
        f = new PnFixture(dir);
        String pnId = establish().pnId;
        byte[] inner = codec.encode(new Envelope(PNE2, EntityId.of("cpns-server"), 1, new Ping(new byte[] {1})));
        CompletionStage<?> relayed = f.gateway.relay(from(PNE2, LinkProtection.SESSION, new Relay(pnId, inner)));
        byte[] answer = {9, 9};
        Relay out = f.server.next(Relay.class, r -> new RelayResponse(answer));
        assertEquals(pnId, out.pnId());
        assertArrayEquals(inner, out.envelope());
        assertArrayEquals(answer, assertInstanceOf(RelayResponse.class, PnFixture.await(relayed)).envelope());
    }

    /** Relay refusals: an unprotected link, a PNE not in the PN, another PNE's message, an unknown PN, no Server link. */
    @Test
    void relayRefusals() throws Exception {
        f = new PnFixture(dir);
        String pnId = establish().pnId;
        byte[] own = codec.encode(new Envelope(PNE2, EntityId.of("cpns-server"), 1, new Ping(new byte[0])));
        assertEquals(ErrorCode.FORBIDDEN, thrown(() -> f.gateway.relay(from(PNE2, LinkProtection.NONE, new Relay(pnId, own)))));
        byte[] third = codec.encode(new Envelope(PNE3, EntityId.of("cpns-server"), 1, new Ping(new byte[0])));
        assertEquals(ErrorCode.FORBIDDEN, thrown(() -> f.gateway.relay(from(PNE3, LinkProtection.SESSION, new Relay(pnId, third)))));
        assertEquals(ErrorCode.FORBIDDEN, thrown(() -> f.gateway.relay(from(PNE2, LinkProtection.SESSION, new Relay(pnId, third)))));
        assertEquals(ErrorCode.UNKNOWN_PN, thrown(() -> f.gateway.relay(from(PNE2, LinkProtection.SESSION, new Relay("pn-none", own)))));
        f.unbindServer();
        assertEquals(ErrorCode.UNAVAILABLE, thrown(() -> f.gateway.relay(from(PNE2, LinkProtection.SESSION, new Relay(pnId, own)))));
        assertTrue(f.server.idle(), "nothing refused reaches the Server");
    }

    /** Steps 14-15 carry the first page of a large PN Inventory; a member reads the rest over a protected link. */
    @Test
    void inventoryInPages() throws Exception {
        f = new PnFixture(dir, Map.of("inventoryPageSize", 1));
        Established e = establish();
        assertEquals(1, e.response.inventory().size());
        assertEquals(2, e.response.inventoryTotal());
        assertEquals(2, e.establishNotify.inventoryTotal());
        PnInventoryPage page = f.gateway.inventoryPage(from(PNE1, LinkProtection.PAN, new PnInventoryRequest(e.pnId, 1)));
        assertEquals(2, page.total());
        assertEquals(List.of("pne-2"), page.members().stream().map(PnMember::pneId).toList());
        assertEquals(ErrorCode.FORBIDDEN, thrown(() -> f.gateway.inventoryPage(from(PNE1, LinkProtection.NONE,
                new PnInventoryRequest(e.pnId, 0)))));
        assertEquals(ErrorCode.FORBIDDEN, thrown(() -> f.gateway.inventoryPage(from(PNE3, LinkProtection.SESSION,
                new PnInventoryRequest(e.pnId, 0)))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, thrown(() -> f.gateway.inventoryPage(from(PNE1, LinkProtection.PAN,
                new PnInventoryRequest(e.pnId, 3)))));
        assertEquals(ErrorCode.UNKNOWN_PN, thrown(() -> f.gateway.inventoryPage(from(PNE1, LinkProtection.PAN,
                new PnInventoryRequest("pn-none", 0)))));
    }

    /**
     * An expel while the link to the Server is down is journaled, and sent when the link is up
     * again ({@link RemovalsOnLinkUp} calls {@code resendRemovals}); once the Server confirmed it, never again.
     */
    @Test
    void expelWhileDownIsSentOnLinkUp() throws Exception {
        f = new PnFixture(dir);
        String pnId = establish().pnId;
        f.unbindServer();
        assertTrue(f.gateway.expel("pne-2"));
        assertEquals(List.of(PNE2), f.pnes.disconnected);
        assertTrue(f.secrets.get(KeyStoreAliases.localEuKey("pne-2")).isEmpty(), "its LocalEUKey is gone at once");
        assertEquals(List.of("pne-1"), f.gateway.pn(pnId).orElseThrow().members().stream().map(PnMemberRecord::pneId).toList());
        assertTrue(f.server.idle());

        f.gateway = f.start(Map.of()); // a restart while still down: the journal is on disk
        f.bindServer();
        f.gateway.resendRemovals(); // the link is up
        PnMemberRemove rm = f.server.next(PnMemberRemove.class, m -> new Ack());
        assertEquals(pnId, rm.pnId());
        assertEquals("pne-2", rm.pneId());
        assertTrue(rm.expel());
        f.gateway.resendRemovals(); // confirmed: nothing left to send
        assertTrue(f.server.idle(), "sent again");
    }

    // ---- helpers ----

    private static ErrorCode thrown(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(CpnsException.class, call).code();
    }

    private static byte[] rand(EntityId pne) {
        return (pne.value() + "-rand-pne-16").substring(0, 16).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] hashPne(EntityId pne) {
        return ("hash-pne-" + pne.value()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] hashServer(EntityId pne) {
        return ("hash-server-" + pne.value()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
