package io.cpns.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.util.HexFormat;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Seed 001 §7.x.2's formulas in both suites against vectors computed independently (Python
 * hashlib/hmac, the layouts of docs/keyassignment.md §3): one test per formula.
 */
class KeyAssignmentCryptoTest {
    private static final String USER = "alice";
    private static final char[] PASSWORD = "correct horse".toCharArray();
    private static final byte[] NONCE = range(1, 32);
    private static final byte[] RAND_PNE = range(0x40, 32);
    private static final byte[] RAND_SVR = range(0x80, 32);
    private static final long TIME = 1_700_000_000L;

    private static final KeyAssignmentCrypto LEGACY = KeyAssignmentCrypto.of(Suites.legacy());
    private static final KeyAssignmentCrypto MODERN = KeyAssignmentCrypto.of(Suites.modern());

    private static byte[] range(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    @Test
    void time_isEightBytesBigEndianSeconds() {
        assertEquals("000000006553f100", HexFormat.of().formatHex(KeyAssignmentCrypto.time(TIME)));
    }

    @Test
    void legacy_step7x2122_passwordHash_isSha1OfTheUtf8Password() {
        assertEquals("2f9e53523b62abc141a2b4d6019d23cba835dbd0", HexFormat.of().formatHex(LEGACY.passwordHash(USER, PASSWORD)));
    }

    @Test
    void legacy_step7x231_triggerAuth_isSha1_hpw_nonce_time() {
        byte[] hpw = LEGACY.passwordHash(USER, PASSWORD);
        assertEquals("380ff425c87dc2be63342924b967849be22b7751", HexFormat.of().formatHex(LEGACY.triggerAuth(hpw, USER, NONCE, TIME)));
    }

    @Test
    void legacy_step7x232_requestAuth_isSha1_hpw_randPne_time() {
        byte[] hpw = LEGACY.passwordHash(USER, PASSWORD);
        assertEquals("0f54a3b96a1985f4730832f7fc749e1cf698d1fd", HexFormat.of().formatHex(LEGACY.requestAuth(hpw, USER, RAND_PNE, TIME)));
    }

    @Test
    void legacy_step7x233_kek_isSha1_hpw_randPne_randSvr_first16Bytes() {
        byte[] hpw = LEGACY.passwordHash(USER, PASSWORD);
        assertEquals("1bf720afc11ffa3250ec85881183e16a", HexFormat.of().formatHex(LEGACY.kek(hpw, USER, RAND_PNE, RAND_SVR)));
    }

    @Test
    void modern_passwordHash_isPbkdf2Sha256_saltedWithTheUserId() {
        assertEquals("c6eea9a0bf99720b271c6dc4d7dde23d0206f095e9050df46a848019d72fe7a3", HexFormat.of().formatHex(MODERN.passwordHash(USER, PASSWORD)));
        assertFalse(Arrays.equals(MODERN.passwordHash(USER, PASSWORD), MODERN.passwordHash("bob", PASSWORD)), "salted per user");
    }

    @Test
    void modern_authenticatorsAndKek_areHmacAndHkdf_overLabelledInputs() {
        byte[] hpw = MODERN.passwordHash(USER, PASSWORD);
        assertEquals("2fae18dc8bf3bfb2f2d6503e80168db98b3c26f035888bcfaa7aa119037f9322", HexFormat.of().formatHex(MODERN.triggerAuth(hpw, USER, NONCE, TIME)));
        assertEquals("d76570dfd6764593c0086cc06a85a5928dc628ef42c54a2b5dbcb0068bd4e785", HexFormat.of().formatHex(MODERN.requestAuth(hpw, USER, RAND_PNE, TIME)));
        assertEquals("f40f9a8c744b8ae0c4ccac1889bc7cb107d888eb654309bc289f3cfa0bbf660d", HexFormat.of().formatHex(MODERN.kek(hpw, USER, RAND_PNE, RAND_SVR)));
        assertFalse(Arrays.equals(MODERN.triggerAuth(hpw, USER, NONCE, TIME), MODERN.requestAuth(hpw, USER, NONCE, TIME)),
                "a trigger's authenticator is never a request's");
    }

    /** §7.x.2.3.3 step 6 and the PNE's steps 1-2, in each suite: what the Server wraps the PNE unwraps; damage is BAD_MAC. */
    @Test
    void keyPne_wrappedUnderTheKek_opensOnlyUnderTheSameKek() {
        for (KeyAssignmentCrypto c : new KeyAssignmentCrypto[] {LEGACY, MODERN}) {
            byte[] hpw = c.passwordHash(USER, PASSWORD);
            byte[] keyPne = Randoms.bytes(KeyAssignmentCrypto.KEY_PNE_LENGTH);
            byte[] wrapped = c.wrap(c.kek(hpw, USER, RAND_PNE, RAND_SVR), keyPne);
            assertEquals(40, wrapped.length);
            assertArrayEquals(keyPne, c.unwrap(c.kek(hpw, USER, RAND_PNE, RAND_SVR), wrapped));

            byte[] otherSvr = RAND_SVR.clone();
            otherSvr[0] ^= 1;
            assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> c.unwrap(c.kek(hpw, USER, RAND_PNE, otherSvr), wrapped)).code());
            byte[] damaged = wrapped.clone();
            damaged[damaged.length - 1] ^= 1;
            assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> c.unwrap(c.kek(hpw, USER, RAND_PNE, RAND_SVR), damaged)).code());
        }
    }

    /** §7.x.2.1.1 / §7.x.2.2.1 step 2: the password under PSK1 or PSK2 opens only with that PSK, label, and the same parties. */
    @Test
    void password_encryptedWithAPsk_opensOnlyForTheSameParties() {
        byte[] psk = Randoms.bytes(32);
        byte[] nonce = Randoms.bytes(12);
        byte[] enc = KeyAssignmentCrypto.encryptPassword(psk, KeyAssignmentCrypto.PSK1, nonce, "gw-home", USER, PASSWORD);
        assertArrayEquals(PASSWORD, KeyAssignmentCrypto.decryptPassword(psk, KeyAssignmentCrypto.PSK1, nonce, "gw-home", USER, enc));
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> KeyAssignmentCrypto.decryptPassword(psk, KeyAssignmentCrypto.PSK2,
                nonce, "gw-home", USER, enc)).code(), "PSK1's ciphertext is not PSK2's");
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> KeyAssignmentCrypto.decryptPassword(psk, KeyAssignmentCrypto.PSK1,
                nonce, "gw-home", "bob", enc)).code(), "bound to the user");
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> KeyAssignmentCrypto.decryptPassword(psk, KeyAssignmentCrypto.PSK1,
                nonce, "gw-other", USER, enc)).code(), "and to the PN GW");
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> KeyAssignmentCrypto.decryptPassword(Randoms.bytes(32),
                KeyAssignmentCrypto.PSK1, nonce, "gw-home", USER, enc)).code());
    }

    /** §5 of docs/keyassignment.md: a Nonce or RANDPNE is taken once while its Time could pass; Time outside the window is stale. */
    @Test
    void replayWindow_acceptsEachValueOnce_forgetsAfterTheWindow_andStaysBounded() {
        ReplayWindow w = new ReplayWindow(300, 3);
        assertTrue(w.firstSeen(NONCE, 1000));
        assertFalse(w.firstSeen(NONCE, 1100), "a replay");
        assertTrue(w.firstSeen(NONCE, 1000 + 601), "two windows later its Time can no longer pass");
        assertTrue(w.fresh(1300, 1000) && w.fresh(700, 1000));
        assertFalse(w.fresh(1301, 1000) || w.fresh(699, 1000));
        for (int i = 0; i < 10; i++) {
            w.firstSeen(range(i, 32), 2000);
        }
        assertEquals(3, w.size());
    }

    /** D44: the response authenticator covers RANDPNE and RANDSVR (the wrapped key has AES-KW's own check), keyed by the password hash. */
    @Test
    void responseAuth_changesWithEachOfItsInputs() {
        for (KeyAssignmentCrypto c : new KeyAssignmentCrypto[] {LEGACY, MODERN}) {
            byte[] hpw = c.passwordHash(USER, PASSWORD);
            byte[] auth = c.responseAuth(hpw, USER, RAND_PNE, RAND_SVR);
            assertFalse(Arrays.equals(auth, c.responseAuth(hpw, USER, RAND_PNE, range(0x81, 32))));
            assertFalse(Arrays.equals(auth, c.responseAuth(hpw, USER, range(0x41, 32), RAND_SVR)));
            assertFalse(Arrays.equals(auth, c.responseAuth(c.passwordHash(USER, "wrong".toCharArray()), USER, RAND_PNE, RAND_SVR)));
        }
    }
}
