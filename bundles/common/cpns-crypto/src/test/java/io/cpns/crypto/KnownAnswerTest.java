package io.cpns.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.util.HexFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every primitive the suites use, against its published test vectors. */
class KnownAnswerTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] repeat(int b, int n) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) b);
        return a;
    }

    @Test
    void sha1_fips180_abc() {
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", HexFormat.of().formatHex(Primitives.sha1(ascii("abc"))));
    }

    @Test
    void sha256_fips180_abc() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(Primitives.sha256(ascii("abc"))));
    }

    @Test
    void hmacSha1_rfc2202_cases1and2() {
        assertEquals("b617318655057264e28bc0b6fb378c8ef146be00",
                HexFormat.of().formatHex(Primitives.hmacSha1(repeat(0x0b, 20), ascii("Hi There"))));
        assertEquals("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
                HexFormat.of().formatHex(Primitives.hmacSha1(ascii("Jefe"), ascii("what do ya want for nothing?"))));
    }

    @Test
    void hmacSha256_rfc4231_cases1and2() {
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                HexFormat.of().formatHex(Primitives.hmacSha256(repeat(0x0b, 20), ascii("Hi There"))));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HexFormat.of().formatHex(Primitives.hmacSha256(ascii("Jefe"), ascii("what do ya want for nothing?"))));
    }

    @Test
    void hkdfSha256_rfc5869_case1() {
        byte[] okm = Primitives.hkdfSha256(HexFormat.of().parseHex("000102030405060708090a0b0c"), repeat(0x0b, 22),
                HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", HexFormat.of().formatHex(okm));
    }

    @Test
    void hkdfSha256_rfc5869_case1_expandFromPrk() {
        byte[] prk = HexFormat.of().parseHex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                HexFormat.of().formatHex(Primitives.hkdfExpandSha256(prk, HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9"), 42)));
    }

    @Test
    void hkdfSha256_rfc5869_case3_emptySaltAndInfo() {
        assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
                HexFormat.of().formatHex(Primitives.hkdfSha256(new byte[0], repeat(0x0b, 22), new byte[0], 42)));
    }

    // The GCM specification (McGrew & Viega), test cases 4 (AES-128) and 16 (AES-256), with AAD.
    private static final byte[] GCM_P = HexFormat.of().parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    private static final byte[] GCM_A = HexFormat.of().parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    private static final byte[] GCM_IV = HexFormat.of().parseHex("cafebabefacedbaddecaf888");

    @Test
    void aes128gcm_gcmSpec_case4() {
        AeadCipher c = new AeadCipher(HexFormat.of().parseHex("feffe9928665731c6d6a8f9467308308"));
        byte[] out = c.seal(GCM_IV, GCM_A, GCM_P);
        assertEquals("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                + "5bc94fbc3221a5db94fae95ae7121a47", HexFormat.of().formatHex(out));
        assertArrayEquals(GCM_P, c.open(GCM_IV, GCM_A, out));
    }

    @Test
    void aes256gcm_gcmSpec_case16() {
        AeadCipher c = new AeadCipher(HexFormat.of().parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
        byte[] out = c.seal(GCM_IV, GCM_A, GCM_P);
        assertEquals("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                + "76fc6ece0f4e1768cddf8853bb2d551b", HexFormat.of().formatHex(out));
        assertArrayEquals(GCM_P, c.open(GCM_IV, GCM_A, out));
    }

    @Test
    void aesGcm_tamperedCiphertextOrAad_isBadMac() {
        AeadCipher c = new AeadCipher(repeat(7, 32));
        byte[] out = c.seal(GCM_IV, GCM_A, GCM_P);
        out[3] ^= 1;
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> c.open(GCM_IV, GCM_A, out)).code());
        out[3] ^= 1;
        byte[] otherAad = GCM_A.clone();
        otherAad[0] ^= 1;
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> c.open(GCM_IV, otherAad, out)).code());
    }

    @Test
    void pbkdf2HmacSha256_rfc7914_11() {
        assertEquals("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd50911"
                + "2041d3a19783", HexFormat.of().formatHex(Primitives.pbkdf2Sha256(ascii("passwd"), ascii("salt"), 1, 64)));
        assertEquals("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f"
                + "62b397f33c8d", HexFormat.of().formatHex(Primitives.pbkdf2Sha256(ascii("Password"), ascii("NaCl"), 80000, 64)));
    }

    @Test
    void aesKeyWrap_rfc3394_4_1_128bitKekAndKey() {
        byte[] kek = HexFormat.of().parseHex("000102030405060708090A0B0C0D0E0F");
        byte[] key = HexFormat.of().parseHex("00112233445566778899AABBCCDDEEFF");
        byte[] wrapped = Suites.modern().wrap(kek, key);
        assertEquals("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", HexFormat.of().formatHex(wrapped));
        assertArrayEquals(key, Suites.modern().unwrap(kek, wrapped));
    }

    @Test
    void aesKeyWrap_rfc3394_4_6_256bitKekAndKey() {
        byte[] kek = HexFormat.of().parseHex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        byte[] key = HexFormat.of().parseHex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        byte[] wrapped = Suites.modern().wrap(kek, key);
        assertEquals("28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21", HexFormat.of().formatHex(wrapped));
        assertArrayEquals(key, Suites.modern().unwrap(kek, wrapped));
    }

    @Test
    void aesKeyWrap_wrongKekOrTamper_isBadMac() {
        byte[] kek = repeat(1, 32);
        byte[] wrapped = Suites.modern().wrap(kek, repeat(2, 32));
        assertEquals(ErrorCode.BAD_MAC,
                assertThrows(CpnsException.class, () -> Suites.modern().unwrap(repeat(3, 32), wrapped)).code());
        wrapped[5] ^= 1;
        assertEquals(ErrorCode.BAD_MAC,
                assertThrows(CpnsException.class, () -> Suites.modern().unwrap(kek, wrapped)).code());
        assertEquals(ErrorCode.BAD_MAC,
                assertThrows(CpnsException.class, () -> Suites.modern().unwrap(kek, new byte[13])).code());
    }

    @Test
    void ed25519_rfc8032_7_1_test2() {
        byte[] sk = HexFormat.of().parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
        byte[] msg = HexFormat.of().parseHex("72");
        assertEquals("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", HexFormat.of().formatHex(Ed25519.publicKey(sk)));
        byte[] sig = Ed25519.sign(sk, msg);
        assertEquals("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", HexFormat.of().formatHex(sig));
        assertTrue(Ed25519.verify(Ed25519.publicKey(sk), msg, sig));
        sig[0] ^= 1;
        assertFalse(Ed25519.verify(Ed25519.publicKey(sk), msg, sig));
        assertFalse(Ed25519.verify(Ed25519.publicKey(sk), msg, new byte[10]));
    }
}
