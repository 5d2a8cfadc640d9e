package io.cpns.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HexFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The suites' formulas (docs/security.md "Crypto suites") recomputed with the JDK's own,
 * independent SHA-1/HMAC implementations: the byte layouts are what the documentation says.
 */
class SuiteFormulaTest {
    private final byte[] psk = Randoms.bytes(32);
    private final Transcript t = new Transcript("gw-1", "cpns-server", Randoms.bytes(32), Randoms.bytes(32));

    private static byte[] jdkSha1(byte[]... parts) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-1");
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    private static byte[] jdkHmac256(byte[] key, byte[]... parts) throws Exception {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        for (byte[] p : parts) {
            m.update(p);
        }
        return m.doFinal();
    }

    /** RFC 5869 written out with the JDK's HMAC. */
    private static byte[] jdkHkdfExpand(byte[] prk, byte[] info, int len) throws Exception {
        byte[] out = new byte[len];
        byte[] prev = new byte[0];
        int off = 0;
        for (int i = 1; off < len; i++) {
            prev = jdkHmac256(prk, prev, info, new byte[] {(byte) i});
            int n = Math.min(prev.length, len - off);
            System.arraycopy(prev, 0, out, off, n);
            off += n;
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void legacy_sessionKeyAndProofs_areTheSeedsConcatenationsUnderSha1() throws Exception {
        CryptoSuite s = Suites.legacy();
        byte[] sk = s.sessionKey(psk, t);
        assertArrayEquals(jdkSha1(t.randI(), t.randR(), psk), sk);
        byte[] hashI = s.initiatorProof(psk, sk, t);
        assertArrayEquals(jdkSha1(t.randI(), t.randR(), psk, sk), hashI);
        assertArrayEquals(jdkSha1(t.randI(), t.randR(), psk, sk, hashI), s.responderProof(psk, sk, t, hashI));
        assertArrayEquals(java.util.Arrays.copyOf(sk, 16), s.trafficKey(sk, Direction.INITIATOR_TO_RESPONDER));
    }

    @Test
    void modern_sessionKeyAndProofs_areHkdfAndHmacOverTheTranscript() throws Exception {
        CryptoSuite s = Suites.modern();
        byte[] sk = s.sessionKey(psk, t);
        byte[] prk = jdkHmac256(Bytes.concat(t.randI(), t.randR()), psk);
        assertArrayEquals(jdkHkdfExpand(prk, Bytes.concat(ascii("CPNS-v1 sk"), t.encoded()), 32), sk);

        byte[] kAuth = jdkHkdfExpand(sk, ascii("CPNS-v1 auth"), 32);
        byte[] hashI = s.initiatorProof(psk, sk, t);
        assertArrayEquals(jdkHmac256(kAuth, ascii("CPNS-v1 initiator"), t.encoded()), hashI);
        assertArrayEquals(jdkHmac256(kAuth, ascii("CPNS-v1 responder"), t.encoded(), hashI),
                s.responderProof(psk, sk, t, hashI));
        assertArrayEquals(jdkHkdfExpand(sk, ascii("CPNS-v1 i2r"), 32), s.trafficKey(sk, Direction.INITIATOR_TO_RESPONDER));
        assertArrayEquals(jdkHkdfExpand(sk, ascii("CPNS-v1 r2i"), 32), s.trafficKey(sk, Direction.RESPONDER_TO_INITIATOR));
    }

    @Test
    void modern_bindsEntityIds_soAProofIsNotValidForAnotherPair() {
        CryptoSuite s = Suites.modern();
        Transcript other = new Transcript("gw-2", t.responderId(), t.randI(), t.randR());
        assertFalse(java.util.Arrays.equals(s.sessionKey(psk, t), s.sessionKey(psk, other)));
    }

    @Test
    void transcript_isLengthPrefixed() {
        Transcript small = new Transcript("a", "b", new byte[] {1}, new byte[] {2, 3});
        assertEquals("000161000162000101000202" + "03", HexFormat.of().formatHex(small.encoded()));
    }

    @Test
    void nonce_isDirectionTagThenCounter() {
        assertEquals("00000002" + "0000000000000105", HexFormat.of().formatHex(AeadCipher.nonce(Direction.RESPONDER_TO_INITIATOR, 261)));
    }
}
