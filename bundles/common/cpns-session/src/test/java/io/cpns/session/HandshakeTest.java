package io.cpns.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TS §5.3.3.1.1 mutual authentication, one test per step and per way it can fail. */
class HandshakeTest {
    static final EntityId GW = EntityId.of("gw-1");
    static final EntityId SRV = EntityId.of("cpns-server");

    private static CryptoSuite suite(String name) {
        return Suites.byName(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"modern-v1", "legacy-v1"})
    void samePsk_bothSidesAuthenticate_andShareTheSessionKey(String name) {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(suite(name), GW, SRV, psk);
        ResponderHandshake r = new ResponderHandshake(suite(name), SRV, GW, psk, i.rand());
        byte[] hashI = i.prove(r.rand());
        ResponderHandshake.Result result = r.verify(hashI);
        SecureSession si = i.confirm(result.proof());
        SecureSession sr = result.session();
        // same session key: what one side protects, the other opens
        var codec = new io.cpns.codec.MessageCodec();
        var env = new io.cpns.api.message.Envelope(GW, SRV, 1, new io.cpns.api.message.Ping(new byte[] {9}));
        assertEquals(9, ((io.cpns.api.message.Ping) sr.unprotect(si.protect(env, codec), codec).body()).data()[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"modern-v1", "legacy-v1"})
    void initiatorWithWrongPsk_isRefusedByTheResponder(String name) {
        InitiatorHandshake i = new InitiatorHandshake(suite(name), GW, SRV, Randoms.bytes(32));
        ResponderHandshake r = new ResponderHandshake(suite(name), SRV, GW, Randoms.bytes(32), i.rand());
        byte[] hashI = i.prove(r.rand());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(CpnsException.class, () -> r.verify(hashI)).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"modern-v1", "legacy-v1"})
    void responderWithoutThePsk_isRefusedByTheInitiator(String name) {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(suite(name), GW, SRV, psk);
        ResponderHandshake r = new ResponderHandshake(suite(name), SRV, GW, psk, i.rand());
        i.prove(r.rand());
        byte[] forged = Randoms.bytes(suite(name).name().startsWith("modern") ? 32 : 20);
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(CpnsException.class, () -> i.confirm(forged)).code());
    }

    @org.junit.jupiter.api.Test
    void replayedInitiatorProof_failsAgainstAFreshResponderRandom() {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), GW, SRV, psk);
        ResponderHandshake r1 = new ResponderHandshake(Suites.modern(), SRV, GW, psk, i.rand());
        byte[] hashI = i.prove(r1.rand());
        r1.verify(hashI);
        ResponderHandshake r2 = new ResponderHandshake(Suites.modern(), SRV, GW, psk, i.rand());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(CpnsException.class, () -> r2.verify(hashI)).code());
    }

    @org.junit.jupiter.api.Test
    void proofForOneIdentity_isNotValidForAnother() {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), GW, SRV, psk);
        // the responder believes it talks to gw-2, which (say) shares the same key by mistake
        ResponderHandshake r = new ResponderHandshake(Suites.modern(), SRV, EntityId.of("gw-2"), psk, i.rand());
        byte[] hashI = i.prove(r.rand());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(CpnsException.class, () -> r.verify(hashI)).code());
    }

    @org.junit.jupiter.api.Test
    void randomOfWrongLength_isMalformed() {
        byte[] psk = Randoms.bytes(32);
        assertEquals(ErrorCode.MALFORMED, assertThrows(CpnsException.class,
                () -> new ResponderHandshake(Suites.modern(), SRV, GW, psk, new byte[4])).code());
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), GW, SRV, psk);
        assertEquals(ErrorCode.MALFORMED, assertThrows(CpnsException.class, () -> i.prove(new byte[0])).code());
    }

    @org.junit.jupiter.api.Test
    void stepsOutOfOrder_areUnexpected() {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), GW, SRV, psk);
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, assertThrows(CpnsException.class, () -> i.confirm(new byte[32])).code());
        ResponderHandshake r = new ResponderHandshake(Suites.modern(), SRV, GW, psk, i.rand());
        ResponderHandshake.Result ok = r.verify(i.prove(r.rand()));
        i.confirm(ok.proof());
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, assertThrows(CpnsException.class, () -> i.prove(r.rand())).code());
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, assertThrows(CpnsException.class, () -> r.verify(new byte[32])).code());
    }
}
