package io.cpns.gw.keyassign;

import static io.cpns.gw.keyassign.KaFixture.await;
import static io.cpns.gw.keyassign.KaFixture.errorOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.message.Ack;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.KaInstallRequest;
import io.cpns.api.message.KaRegisterRequest;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaResponse;
import io.cpns.api.message.KaTrigger;
import io.cpns.api.message.Message;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.testkit.RecordingPneMessenger;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Key Assignment for a PNE without UI at the PN GW, seed 001 §7.x.2, step by step. */
class KeyAssignmentGatewayTest {
    static final EntityId PNE = EntityId.of("pne-sensor");
    static final String USER = "alice";
    static final String PASSWORD = "correct horse";
    final KaFixture f = new KaFixture();

    /** §7.x.2.1.1: the Subscription & Registration Request carries the password encrypted with PSK1, never in clear. */
    @Test
    void s7x211RegistrationCarriesThePasswordUnderPsk1() throws Exception {
        char[] password = PASSWORD.toCharArray();
        CompletionStage<Void> done = f.gateway.register(USER, password, Map.of("plan", "basic"));
        assertArrayEquals(new char[password.length], password, "the caller's password is wiped at once");
        KaRegisterRequest r = f.server.next(KaRegisterRequest.class, m -> new Ack()); // §7.x.2.1.2
        assertEquals(USER, r.userId());
        assertEquals(Map.of("plan", "basic"), r.subscription());
        assertEquals(PASSWORD, new String(KeyAssignmentCrypto.decryptPassword(f.psk1, KeyAssignmentCrypto.PSK1, r.nonce(),
                KaFixture.GW.value(), USER, r.encPassword())));
        await(done);
        assertTrue(f.log.all().contains("alice registered with the CPNS Server"), f.log.all());
        assertFalse(f.log.all().contains(PASSWORD));
    }

    /** §7.x.2.2.1: ID/Password Installation on the PNE, the password under PSK2 (its pre-assigned key), over a protected link. */
    @Test
    void s7x221InstallationUnderThePnesPreAssignedKey() throws Exception {
        byte[] psk2 = Randoms.bytes(32);
        f.preAssigned.set(PNE.value(), psk2);
        f.linked(PNE, LinkProtection.SESSION);
        CompletionStage<Void> done = f.gateway.install(PNE.value(), USER, PASSWORD.toCharArray());
        RecordingPneMessenger.Sent sent = f.pnes.next(KaInstallRequest.class);
        assertEquals(PNE, sent.pne());
        KaInstallRequest r = (KaInstallRequest) sent.message();
        assertEquals("modern-v1", r.suite());
        assertEquals(PASSWORD, new String(KeyAssignmentCrypto.decryptPassword(psk2, KeyAssignmentCrypto.PSK2, r.nonce(), PNE.value(),
                USER, r.encPassword())));
        sent.answer(LinkProtection.SESSION, new Ack()); // §7.x.2.2.2
        await(done);
    }

    /** Installation refused before anything is sent: the PNE not linked, its link unprotected, no PSK2. */
    @Test
    void s7x221InstallationRefusals() throws Exception {
        assertEquals(ErrorCode.UNAVAILABLE, errorOf(f.gateway.install(PNE.value(), USER, PASSWORD.toCharArray())));
        f.linked(PNE, LinkProtection.NONE);
        f.preAssigned.set(PNE.value(), Randoms.bytes(32));
        assertEquals(ErrorCode.FORBIDDEN, errorOf(f.gateway.install(PNE.value(), USER, PASSWORD.toCharArray())));
        f.pnes.links.clear();
        f.linked(PNE, LinkProtection.PAN);
        f.preAssigned.remove(PNE.value());
        assertEquals(ErrorCode.FORBIDDEN, errorOf(f.gateway.install(PNE.value(), USER, PASSWORD.toCharArray())));
        assertTrue(f.pnes.idle(), "nothing sent to the PNE");
        assertTrue(f.log.all().contains("installation on PNE pne-sensor failed: FORBIDDEN"), f.log.all());
    }

    /** §7.x.2.3.1: the Trigger carries Hash(Hash(Password) | Nonce | Time); the PNE answers once it holds its EUKey. */
    @Test
    void s7x231TriggerProvesTheUsersPassword() throws Exception {
        f.linked(PNE, LinkProtection.PAN);
        CompletionStage<Void> done = f.gateway.trigger(PNE.value(), USER, PASSWORD.toCharArray());
        RecordingPneMessenger.Sent sent = f.pnes.next(KaTrigger.class);
        KaTrigger t = (KaTrigger) sent.message();
        KeyAssignmentCrypto crypto = KeyAssignmentCrypto.of(Suites.modern());
        byte[] hpw = crypto.passwordHash(USER, PASSWORD.toCharArray());
        assertArrayEquals(crypto.triggerAuth(hpw, USER, t.nonce(), t.time()), t.auth());
        assertEquals(USER, t.userId());
        sent.answer(LinkProtection.PAN, new Ack());
        await(done);
        assertTrue(f.log.all().contains("PNE pne-sensor of alice holds its EUKey"), f.log.all());
    }

    /**
     * §7.x.2.3.2: the PN GW relays the PNE's Key Assignment Request to the Server as the PNE of the
     * link it came on (not the PNE it names), and §7.x.2.3.3 the Server's answer back.
     */
    @Test
    void s7x232RequestRelayedAsTheLinksPne() throws Exception {
        KaRequest asked = new KaRequest("pne-someone-else", USER, "modern-v1", Randoms.bytes(16), 1_700_000_000L, Randoms.bytes(32));
        CompletionStage<Message> relayed = f.gateway.relay(KaFixture.from(PNE, LinkProtection.SESSION, asked));
        KaResponse answer = new KaResponse(Randoms.bytes(16), Randoms.bytes(40), Randoms.bytes(32));
        KaRequest out = f.server.next(KaRequest.class, m -> answer);
        assertEquals(PNE.value(), out.pneId());
        assertArrayEquals(asked.randPne(), out.randPne());
        assertArrayEquals(asked.auth(), out.auth());
        assertEquals(asked.time(), out.time());
        assertSame(answer, await(relayed));
    }

    /** The Server refuses the request: the PNE gets that typed error, and one line is logged. */
    @Test
    void s7x232ServerRefusalReachesThePne() throws Exception {
        KaRequest asked = new KaRequest(PNE.value(), USER, "modern-v1", Randoms.bytes(16), 1_700_000_000L, Randoms.bytes(32));
        CompletionStage<Message> relayed = f.gateway.relay(KaFixture.from(PNE, LinkProtection.SESSION, asked));
        f.server.next(KaRequest.class).answer().completeExceptionally(
                ErrorMessage.of(new CpnsException(ErrorCode.AUTH_FAILED, "wrong password")).toException());
        assertEquals(ErrorCode.AUTH_FAILED, errorOf(relayed));
        assertTrue(f.log.all().contains("Key Assignment Request of PNE pne-sensor refused by the Server"), f.log.all());
    }

    /** No link to the Server (gw-link updated) or a link that is down: UNAVAILABLE, nothing half done. */
    @Test
    void serverUnavailable() throws Exception {
        f.server.up = false;
        assertEquals(ErrorCode.UNAVAILABLE, errorOf(f.gateway.register(USER, PASSWORD.toCharArray(), Map.of())));
        KaRequest asked = new KaRequest(PNE.value(), USER, "modern-v1", Randoms.bytes(16), 1_700_000_000L, Randoms.bytes(32));
        assertEquals(ErrorCode.UNAVAILABLE, errorOf(f.gateway.relay(KaFixture.from(PNE, LinkProtection.SESSION, asked))));
        f.bind(false, true);
        assertEquals(ErrorCode.UNAVAILABLE, errorOf(f.gateway.register(USER, PASSWORD.toCharArray(), Map.of())));
        CpnsException e = assertThrows(CpnsException.class,
                () -> f.gateway.relay(KaFixture.from(PNE, LinkProtection.SESSION, asked)));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        f.bind(true, false); // gw-pan being updated
        assertEquals(ErrorCode.UNAVAILABLE, errorOf(f.gateway.trigger(PNE.value(), USER, PASSWORD.toCharArray())));
    }
}
