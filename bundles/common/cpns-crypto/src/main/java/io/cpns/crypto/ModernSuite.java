package io.cpns.crypto;

import java.nio.charset.StandardCharsets;

/**
 * The default suite: SHA-256, HMAC-SHA-256, HKDF-SHA-256, AES-256-GCM, AES-256 key wrap. It keeps
 * the seeds' structure (SK from both random numbers and the PSK; the responder's proof covers the
 * initiator's) and adds what the seeds leave open: a KDF instead of a bare hash, and both Entity
 * IDs in every derivation so a proof cannot be replayed for another pair of entities.
 *
 * <pre>
 * T      = lp(initiatorId) | lp(responderId) | lp(randI) | lp(randR)
 * SK     = HKDF-SHA256(salt = randI | randR, IKM = PSK, info = "CPNS-v1 sk" | T, L = 32)
 * Kauth  = HKDF-Expand(SK, "CPNS-v1 auth", 32)
 * hash_I = HMAC-SHA256(Kauth, "CPNS-v1 initiator" | T)
 * hash_R = HMAC-SHA256(Kauth, "CPNS-v1 responder" | T | hash_I)
 * K_i2r  = HKDF-Expand(SK, "CPNS-v1 i2r", 32),  K_r2i = HKDF-Expand(SK, "CPNS-v1 r2i", 32)
 * </pre>
 */
public final class ModernSuite implements CryptoSuite {
    public static final String NAME = "modern-v1";
    static final ModernSuite INSTANCE = new ModernSuite();

    private static final byte[] SK = label("CPNS-v1 sk");
    private static final byte[] AUTH = label("CPNS-v1 auth");
    private static final byte[] INITIATOR = label("CPNS-v1 initiator");
    private static final byte[] RESPONDER = label("CPNS-v1 responder");
    private static final byte[] I2R = label("CPNS-v1 i2r");
    private static final byte[] R2I = label("CPNS-v1 r2i");

    private ModernSuite() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] hash(byte[]... parts) {
        return Primitives.sha256(parts);
    }

    @Override
    public byte[] mac(byte[] key, byte[]... parts) {
        return Primitives.hmacSha256(key, parts);
    }

    @Override
    public byte[] sessionKey(byte[] psk, Transcript t) {
        return Primitives.hkdfSha256(Bytes.concat(t.randI(), t.randR()), psk, Bytes.concat(SK, t.encoded()), 32);
    }

    /** {@code SK = HKDF-Expand(PRK, info, 32)} with {@code PRK = extract(randI | randR)}: the same bytes as above. */
    @Override
    public byte[] sessionKey(java.util.function.UnaryOperator<byte[]> extract, Transcript t) {
        byte[] prk = extract.apply(Bytes.concat(t.randI(), t.randR()));
        try {
            return Primitives.hkdfExpandSha256(prk, Bytes.concat(SK, t.encoded()), 32);
        } finally {
            Bytes.wipe(prk);
        }
    }

    @Override
    public byte[] initiatorProof(byte[] psk, byte[] sk, Transcript t) {
        byte[] kAuth = Primitives.hkdfExpandSha256(sk, AUTH, 32);
        try {
            return Primitives.hmacSha256(kAuth, INITIATOR, t.encoded());
        } finally {
            Bytes.wipe(kAuth);
        }
    }

    @Override
    public byte[] responderProof(byte[] psk, byte[] sk, Transcript t, byte[] initiatorProof) {
        byte[] kAuth = Primitives.hkdfExpandSha256(sk, AUTH, 32);
        try {
            return Primitives.hmacSha256(kAuth, RESPONDER, t.encoded(), initiatorProof);
        } finally {
            Bytes.wipe(kAuth);
        }
    }

    @Override
    public byte[] trafficKey(byte[] sk, Direction direction) {
        return Primitives.hkdfExpandSha256(sk, direction == Direction.INITIATOR_TO_RESPONDER ? I2R : R2I, 32);
    }

    private static byte[] label(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
