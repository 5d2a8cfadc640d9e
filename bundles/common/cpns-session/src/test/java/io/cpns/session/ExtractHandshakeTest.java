package io.cpns.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Primitives;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A PSK held by a credential module (issue 12 §5): the initiator gets only the module's
 * HKDF-Extract over it, and the responder, holding the PSK itself, cannot tell: same wire.
 */
class ExtractHandshakeTest {
    /** HKDF-Extract-SHA256(salt, psk) as a module computes it: HMAC keyed by the salt (zeros if empty) over the PSK. */
    private static UnaryOperator<byte[]> module(byte[] psk) {
        return salt -> Primitives.hmacSha256(salt.length == 0 ? new byte[32] : salt, psk);
    }

    @Test
    void initiatorWithTheModulesExtract_andResponderWithThePsk_shareTheSession() {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), HandshakeTest.GW, HandshakeTest.SRV, module(psk));
        ResponderHandshake r = new ResponderHandshake(Suites.modern(), HandshakeTest.SRV, HandshakeTest.GW, psk, i.rand());
        ResponderHandshake.Result result = r.verify(i.prove(r.rand()));
        SecureSession si = i.confirm(result.proof());
        var codec = new io.cpns.codec.MessageCodec();
        var env = new io.cpns.api.message.Envelope(HandshakeTest.GW, HandshakeTest.SRV, 1, new io.cpns.api.message.Ping(new byte[] {7}));
        assertEquals(7, ((io.cpns.api.message.Ping) result.session().unprotect(si.protect(env, codec), codec).body()).data()[0]);
    }

    @Test
    void aModuleWithAnotherKey_isRefusedByTheResponder() {
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), HandshakeTest.GW, HandshakeTest.SRV, module(Randoms.bytes(32)));
        ResponderHandshake r = new ResponderHandshake(Suites.modern(), HandshakeTest.SRV, HandshakeTest.GW, Randoms.bytes(32), i.rand());
        byte[] hashI = i.prove(r.rand());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(CpnsException.class, () -> r.verify(hashI)).code());
    }

    @Test
    void legacySuite_needsThePskItself_refusedWithATypedError() {
        assertEquals(ErrorCode.UNSUPPORTED_SUITE, assertThrows(CpnsException.class,
                () -> new InitiatorHandshake(Suites.legacy(), HandshakeTest.GW, HandshakeTest.SRV, module(Randoms.bytes(32)))).code());
    }

    @Test
    void keyAssignmentPsk1_fromTheModulesExtract_isTheSameCiphertext() {
        byte[] psk = Randoms.bytes(32);
        byte[] nonce = Randoms.bytes(12);
        char[] pw = "pw-1".toCharArray();
        assertArrayEquals(KeyAssignmentCrypto.encryptPassword(psk, KeyAssignmentCrypto.PSK1, nonce, "gw-1", "alice", pw),
                KeyAssignmentCrypto.encryptPassword(module(psk), KeyAssignmentCrypto.PSK1, nonce, "gw-1", "alice", pw));
    }
}
