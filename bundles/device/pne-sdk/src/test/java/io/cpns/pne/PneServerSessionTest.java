package io.cpns.pne;

import static io.cpns.pne.PneFixture.config;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.PnMember;
import io.cpns.api.message.PnSetupRequest;
import io.cpns.api.message.PnSetupResponse;
import io.cpns.api.message.PneAuthRequest;
import io.cpns.api.message.PneAuthResponse;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Protected;
import io.cpns.api.message.Relay;
import io.cpns.api.message.RelayResponse;
import io.cpns.api.message.SetupType;
import io.cpns.crypto.Randoms;
import io.cpns.pne.PneFixture.Link;
import io.cpns.session.SecureSession;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SK_PNE on the PNE across restarts, and PN Establishment again when the Server's session is gone
 * (TS §5.3.3.1, seed 004 steps 1-15, D89). The test plays the PN GW and the Server.
 */
class PneServerSessionTest {
    static final List<PnMember> INVENTORY = List.of(new PnMember(PneFixture.PNE.value(), Map.of(), List.of()));

    @TempDir
    Path dir;
    PneFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new PneFixture(dir);
        f.withEuKey();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** PNE initiated PN Establishment (steps 1-14) on a secure PAN; returns the Server's SK_PNE session. */
    private SecureSession establish(PneClient pne, Link link, String pnId, SetupType type, List<String> invitees) throws Exception {
        CompletableFuture<PnState> setup = pne.setup(type, invitees).toCompletableFuture();
        return answerSetup(link, pnId, type, invitees, setup);
    }

    private SecureSession answerSetup(Link link, String pnId, SetupType type, List<String> invitees, CompletableFuture<PnState> setup)
            throws Exception {
        Envelope request = link.receive();
        PnSetupRequest r = assertInstanceOf(PnSetupRequest.class, request.body());
        assertEquals(type, r.setupType());
        assertEquals(invitees, r.invitees());
        byte[] randServer = Randoms.bytes(32);
        long auth = link.request(new PneAuthRequest(pnId, randServer, null));
        PneAuthResponse answer = assertInstanceOf(PneAuthResponse.class, link.answer(auth));
        var server = f.serverHandshake(r.randPne(), randServer).verify(answer.hashPne());
        link.send(request.reply(new PnSetupResponse(pnId, true, INVENTORY, server.proof())));
        if (setup != null) {
            assertEquals(pnId, setup.get(10, SECONDS).pnId());
        }
        return server.session();
    }

    /** The Server's side of one relayed request: checks the PN, answers Pong under its SK_PNE; returns the answer sent. */
    private RelayResponse serveRelay(Link link, String pnId, SecureSession server) throws Exception {
        Envelope relayed = link.receive();
        Relay relay = assertInstanceOf(Relay.class, relayed.body());
        assertEquals(pnId, relay.pnId());
        Envelope inner = server.unprotect(f.codec.decode(relay.envelope()), f.codec);
        RelayResponse out = new RelayResponse(f.codec.encode(server.protect(inner.reply(new Pong(((Ping) inner.body()).data())), f.codec)));
        link.send(relayed.reply(out));
        return out;
    }

    private static CompletableFuture<Message> call(PneClient pne, String pnId, byte... data) {
        return CompletableFuture.supplyAsync(() -> pne.requestServer(pnId, new Ping(data)));
    }

    @Test
    void afterAPneRestart_itsSkPneFromTheSecretStore_stillWorks_withoutANewEstablishment() throws Exception {
        PneClient before = f.client(config(), true);
        Link link = f.acceptPlain();
        SecureSession server = establish(before, link, "pn-1", SetupType.ONE_TO_ONE, List.of());
        CompletableFuture<Message> first = call(before, "pn-1", (byte) 1);
        RelayResponse firstAnswer = serveRelay(link, "pn-1", server);
        assertInstanceOf(Pong.class, first.get(10, SECONDS));
        before.close();

        // restart: a new client on the same secret store; nothing but the relay crosses the link
        PneClient after = f.client(config(), true);
        Link again = f.acceptPlain();
        CompletableFuture<Message> second = call(after, "pn-1", (byte) 2);
        serveRelay(again, "pn-1", server); // the Server's session opens it: same SK_PNE, send counter above the old ones
        assertArrayEquals(new byte[] {2}, assertInstanceOf(Pong.class, second.get(10, SECONDS)).data());

        // an answer the PNE accepted before its restart is a replay after it
        CompletableFuture<Message> third = call(after, "pn-1", (byte) 3);
        Envelope relayed = again.receive();
        again.send(relayed.reply(firstAnswer));
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> third.get(10, SECONDS));
        assertEquals(ErrorCode.REPLAY, assertInstanceOf(CpnsException.class, e.getCause()).code());
    }

    @Test
    void theSkPneKeptInTheStore_isEncryptedAtRest() throws Exception {
        PneClient pne = f.client(config(), true);
        Link link = f.acceptPlain();
        establish(pne, link, "pn-1", SetupType.ONE_TO_ONE, List.of());
        assertTrue(f.keys.aliases("skpne.").contains("skpne.pn-1"));
        try (var files = java.nio.file.Files.walk(dir.resolve("pne-keys"))) {
            for (Path p : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                String text = new String(java.nio.file.Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertEquals(-1, text.indexOf("modern-v1"), p + " holds the session record in the clear");
            }
        }
    }

    @Test
    void sessionGone_thePneEstablishesThePnAgainAsItDid_andRetriesOnce() throws Exception {
        PneClient pne = f.client(config(), true);
        Link link = f.acceptPlain();
        establish(pne, link, "pn-1", SetupType.INVITE, List.of("radio-2"));

        CompletableFuture<Message> call = call(pne, "pn-1", (byte) 7);
        Envelope relayed = link.receive();
        assertEquals("pn-1", ((Relay) relayed.body()).pnId());
        // the Server lost the session (e.g. its database restored): SESSION_GONE, passed on by the PN GW
        link.send(relayed.reply(ErrorMessage.of(new CpnsException(ErrorCode.SESSION_GONE, "no SK_PNE session"))));

        // the same PN Setup Request again, by itself, then the request once more in the new PN
        SecureSession server = answerSetup(link, "pn-2", SetupType.INVITE, List.of("radio-2"), null);
        serveRelay(link, "pn-2", server);
        assertArrayEquals(new byte[] {7}, assertInstanceOf(Pong.class, call.get(10, SECONDS)).data());
        assertTrue(pne.pn("pn-1").isEmpty());
        assertTrue(pne.pn("pn-2").isPresent());
        assertTrue(f.keys.get("skpne.pn-1").isEmpty(), "the lost PN's key is deleted");

        // later calls with the old PN ID go to the new PN
        CompletableFuture<Message> later = call(pne, "pn-1", (byte) 8);
        serveRelay(link, "pn-2", server);
        assertArrayEquals(new byte[] {8}, assertInstanceOf(Pong.class, later.get(10, SECONDS)).data());
    }

    @Test
    void sessionGoneTwice_isReported_afterOneReestablishment() throws Exception {
        PneClient pne = f.client(config(), true);
        Link link = f.acceptPlain();
        establish(pne, link, "pn-1", SetupType.ONE_TO_ONE, List.of());

        CompletableFuture<Message> call = call(pne, "pn-1", (byte) 7);
        Envelope relayed = link.receive();
        link.send(relayed.reply(ErrorMessage.of(new CpnsException(ErrorCode.SESSION_GONE, "gone"))));
        answerSetup(link, "pn-2", SetupType.ONE_TO_ONE, List.of(), null);
        Envelope retried = link.receive();
        link.send(retried.reply(ErrorMessage.of(new CpnsException(ErrorCode.SESSION_GONE, "gone again"))));

        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> call.get(10, SECONDS));
        assertEquals(ErrorCode.SESSION_GONE, assertInstanceOf(CpnsException.class, e.getCause()).code());
    }

    @Test
    void forbidden_isNotCuredByReestablishing_andIsReportedAsIs() throws Exception {
        PneClient pne = f.client(config(), true);
        Link link = f.acceptPlain();
        establish(pne, link, "pn-1", SetupType.ONE_TO_ONE, List.of());

        CompletableFuture<Message> call = call(pne, "pn-1", (byte) 7);
        Envelope relayed = link.receive();
        link.send(relayed.reply(ErrorMessage.of(new CpnsException(ErrorCode.FORBIDDEN, "not a member"))));
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> call.get(10, SECONDS));
        assertEquals(ErrorCode.FORBIDDEN, assertInstanceOf(CpnsException.class, e.getCause()).code());
        assertTrue(pne.pn("pn-1").isPresent());
    }
}
