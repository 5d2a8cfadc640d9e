package io.cpns.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The formulas of Key Assignment for a PNE without UI (seed 001 §7.x.2), in one crypto suite.
 * The byte layout of every {@code |} is in docs/keyassignment.md §3; {@code time} is seconds since
 * the Unix epoch (UTC), 8 bytes big-endian.
 *
 * <p>{@code legacy-v1} takes the seed literally: {@code HPW = SHA-1(password)},
 * {@code auth = SHA-1(HPW | Nonce | Time)} and {@code SHA-1(HPW | RANDPNE | Time)},
 * {@code KEK = SHA-1(HPW | RANDPNE | RANDSVR)} (its first 16 bytes wrap KeyPNE with AES-128-KW).
 * {@code modern-v1}, the default, keeps the flow and replaces each formula by its standard
 * counterpart: HPW by PBKDF2-HMAC-SHA256 salted with the user ID, each authenticator by an
 * HMAC-SHA256 keyed with HPW over a labelled, length-prefixed input, the KEK by HKDF-SHA256
 * (AES-256-KW). KeyPNE is the PNE's 32-byte EUKey in both. Both add a response authenticator that the seed lacks, so that a PNE
 * tells a forged RANDSVR from a damaged wrapped key (D44).
 */
@ProviderType
public abstract class KeyAssignmentCrypto {
    /** PBKDF2 iterations of modern-v1's password hash: part of the suite, never configured. */
    public static final int MODERN_ITERATIONS = 100_000;

    private final CryptoSuite suite;

    private KeyAssignmentCrypto(CryptoSuite suite) {
        this.suite = suite;
    }

    public static KeyAssignmentCrypto of(CryptoSuite suite) {
        return switch (suite.name()) {
            case LegacySuite.NAME -> new Legacy(suite);
            case ModernSuite.NAME -> new Modern(suite);
            default -> throw new IllegalArgumentException("no Key Assignment formulas for suite " + suite.name());
        };
    }

    public CryptoSuite suite() {
        return suite;
    }

    /** {@code Hash(Password)} as the Server (§7.x.2.1.2 step 2) and the PNE (§7.x.2.2.2 step 2) store it. */
    public final byte[] passwordHash(String userId, char[] password) {
        byte[] pw = Bytes.utf8(password);
        try {
            return hashPassword(userId, pw);
        } finally {
            Bytes.wipe(pw);
        }
    }

    /** The suite's password hash of the UTF-8 password. */
    abstract byte[] hashPassword(String userId, byte[] utf8Password);

    /** The Key Assignment Trigger's user authentication data (§7.x.2.3.1 step 3). */
    public abstract byte[] triggerAuth(byte[] hpw, String userId, byte[] nonce, long time);

    /** The Key Assignment Request's user authentication data (§7.x.2.3.2 step 3). */
    public abstract byte[] requestAuth(byte[] hpw, String userId, byte[] randPne, long time);

    /** {@code KEK = Hash(Hash(Password) | RANDPNE | RANDSVR)} (§7.x.2.3.3 step 4), as the key that wraps KeyPNE. */
    public abstract byte[] kek(byte[] hpw, String userId, byte[] randPne, byte[] randSvr);

    /**
     * The Server's proof over its response (this project's addition, D44): over RANDPNE and RANDSVR,
     * not the wrapped key, whose integrity AES key wrap checks itself. So a forged RANDSVR fails
     * here and a damaged wrapped key at the unwrap: two distinct codes.
     */
    public abstract byte[] responseAuth(byte[] hpw, String userId, byte[] randPne, byte[] randSvr);

    /** KeyPNE becomes the PNE's EUKey: 32 bytes like every EUKey, whatever the suite (the legacy KEK wraps it with AES-128). */
    public static final int KEY_PNE_LENGTH = 32;

    public int randLength() {
        return suite.randLength();
    }

    /** AES key wrap of KeyPNE under the KEK (RFC 3394). */
    public byte[] wrap(byte[] kek, byte[] keyPne) {
        return suite.wrap(kek, keyPne);
    }

    /** @throws io.cpns.api.CpnsException {@code BAD_MAC} for a wrong KEK or a damaged wrapped key */
    public byte[] unwrap(byte[] kek, byte[] wrapped) {
        return suite.unwrap(kek, wrapped);
    }

    /** Labels of the password's encryption under PSK1 (PN GW to Server) and PSK2 (PN GW to PNE). */
    public static final String PSK1 = "CPNS-v1 ka-psk1";
    public static final String PSK2 = "CPNS-v1 ka-psk2";

    /**
     * The password encrypted with a PSK (seed 001 §7.x.2.1.1 and §7.x.2.2.1 step 2): AES-256-GCM under
     * {@code HKDF-SHA256(salt = "", IKM = psk, info = label)}, the 12-byte {@code nonce} random, the
     * associated data {@code len|entityId | len|userId}, where {@code entityId} is the PN GW (PSK1) or
     * the PNE (PSK2): the party that shares the PSK with the other end. The same in both suites.
     */
    public static byte[] encryptPassword(byte[] psk, String label, byte[] nonce, String entityId, String userId, char[] password) {
        byte[] pw = Bytes.utf8(password);
        try (AeadCipher c = new AeadCipher(transportKey(psk, label))) {
            return c.seal(nonce, passwordAad(entityId, userId), pw);
        } finally {
            Bytes.wipe(pw);
        }
    }

    /**
     * {@link #encryptPassword} with a PSK this process does not hold (a credential module), given
     * the module's {@code HKDF-Extract-SHA256("", PSK)}: the same bytes.
     */
    public static byte[] encryptPassword(java.util.function.UnaryOperator<byte[]> extract, String label, byte[] nonce, String entityId,
                                         String userId, char[] password) {
        byte[] prk = extract.apply(new byte[0]);
        byte[] key;
        try {
            key = Primitives.hkdfExpandSha256(prk, ascii(label), 32);
        } finally {
            Bytes.wipe(prk);
        }
        byte[] pw = Bytes.utf8(password);
        try (AeadCipher c = new AeadCipher(key)) {
            return c.seal(nonce, passwordAad(entityId, userId), pw);
        } finally {
            Bytes.wipe(pw, key);
        }
    }

    /** Inverse of {@link #encryptPassword}; the caller wipes the result. @throws io.cpns.api.CpnsException {@code BAD_MAC} */
    public static char[] decryptPassword(byte[] psk, String label, byte[] nonce, String entityId, String userId, byte[] encrypted) {
        byte[] pw;
        try (AeadCipher c = new AeadCipher(transportKey(psk, label))) {
            pw = c.open(nonce, passwordAad(entityId, userId), encrypted);
        }
        try {
            java.nio.CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(pw));
            char[] out = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return out;
        } finally {
            Bytes.wipe(pw);
        }
    }

    private static byte[] transportKey(byte[] psk, String label) {
        return Primitives.hkdfSha256(new byte[0], psk, ascii(label), 32);
    }

    private static byte[] passwordAad(String entityId, String userId) {
        return Bytes.lengthPrefixed(id(entityId), id(userId));
    }

    /** Time on the wire and in every formula: seconds since 1970-01-01T00:00:00Z, 8 bytes big-endian. */
    public static byte[] time(long epochSeconds) {
        return Bytes.longBE(epochSeconds);
    }

    /** The seed's formulas with SHA-1, byte for byte: plain concatenation of fixed-length fields. */
    private static final class Legacy extends KeyAssignmentCrypto {
        Legacy(CryptoSuite suite) {
            super(suite);
        }

        @Override
        byte[] hashPassword(String userId, byte[] utf8Password) {
            return Primitives.sha1(utf8Password);
        }

        @Override
        public byte[] triggerAuth(byte[] hpw, String userId, byte[] nonce, long time) {
            return Primitives.sha1(hpw, nonce, time(time));
        }

        @Override
        public byte[] requestAuth(byte[] hpw, String userId, byte[] randPne, long time) {
            return Primitives.sha1(hpw, randPne, time(time));
        }

        @Override
        public byte[] kek(byte[] hpw, String userId, byte[] randPne, byte[] randSvr) {
            byte[] full = Primitives.sha1(hpw, randPne, randSvr);
            try {
                return Arrays.copyOf(full, 16); // AES-128-KW, as legacy-v1 keys are 16 bytes
            } finally {
                Bytes.wipe(full);
            }
        }

        @Override
        public byte[] responseAuth(byte[] hpw, String userId, byte[] randPne, byte[] randSvr) {
            return Primitives.hmacSha1(hpw, LABEL_RESPONSE, randPne, randSvr);
        }
    }

    /** Standard constructions, domain-separated and bound to the user ID. */
    private static final class Modern extends KeyAssignmentCrypto {
        Modern(CryptoSuite suite) {
            super(suite);
        }

        @Override
        byte[] hashPassword(String userId, byte[] utf8Password) {
            return Primitives.pbkdf2Sha256(utf8Password, Bytes.concat(LABEL_PASSWORD, id(userId)), MODERN_ITERATIONS, 32);
        }

        @Override
        public byte[] triggerAuth(byte[] hpw, String userId, byte[] nonce, long time) {
            return Primitives.hmacSha256(hpw, Bytes.lengthPrefixed(LABEL_TRIGGER, id(userId), nonce, time(time)));
        }

        @Override
        public byte[] requestAuth(byte[] hpw, String userId, byte[] randPne, long time) {
            return Primitives.hmacSha256(hpw, Bytes.lengthPrefixed(LABEL_REQUEST, id(userId), randPne, time(time)));
        }

        @Override
        public byte[] kek(byte[] hpw, String userId, byte[] randPne, byte[] randSvr) {
            return Primitives.hkdfSha256(Bytes.concat(randPne, randSvr), hpw, Bytes.lengthPrefixed(LABEL_KEK, id(userId)), 32);
        }

        @Override
        public byte[] responseAuth(byte[] hpw, String userId, byte[] randPne, byte[] randSvr) {
            return Primitives.hmacSha256(hpw, Bytes.lengthPrefixed(LABEL_RESPONSE, id(userId), randPne, randSvr));
        }
    }

    static final byte[] LABEL_PASSWORD = ascii("CPNS-v1 ka-password ");
    static final byte[] LABEL_TRIGGER = ascii("CPNS-v1 ka-trigger");
    static final byte[] LABEL_REQUEST = ascii("CPNS-v1 ka-request");
    static final byte[] LABEL_KEK = ascii("CPNS-v1 ka-kek");
    static final byte[] LABEL_RESPONSE = ascii("CPNS-v1 ka-response");

    private static byte[] id(String userId) {
        return userId.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
