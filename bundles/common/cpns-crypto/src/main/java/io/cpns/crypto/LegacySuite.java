package io.cpns.crypto;

import java.util.Arrays;

/**
 * The seeds' formulas taken literally, with SHA-1 as Hash (the one algorithm the seeds name, seed
 * 001 §7.x.2.1.2). For interoperability with peers built to the letter of the CRs; not the
 * default. Where the seeds name no algorithm (encryption, key wrap) it uses the same standard
 * primitives as the modern suite at 128 bits.
 *
 * <pre>
 * SK     = SHA-1(randI | randR | PSK)                       seed 004 step 8: "from rand_PNE, rand_server and EUKey"
 * hash_I = SHA-1(randI | randR | PSK | SK)                  seed 004 step 8
 * hash_R = SHA-1(randI | randR | PSK | SK | hash_I)         seed 004 step 12: "additionally use hash_PNE"
 * K_i2r  = K_r2i = first 16 bytes of SK (AES-128-GCM; the direction is in the nonce)
 * </pre>
 */
public final class LegacySuite implements CryptoSuite {
    public static final String NAME = "legacy-v1";
    static final LegacySuite INSTANCE = new LegacySuite();

    private LegacySuite() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] hash(byte[]... parts) {
        return Primitives.sha1(parts);
    }

    @Override
    public byte[] mac(byte[] key, byte[]... parts) {
        return Primitives.hmacSha1(key, parts);
    }

    @Override
    public byte[] sessionKey(byte[] psk, Transcript t) {
        return Primitives.sha1(t.randI(), t.randR(), psk);
    }

    @Override
    public byte[] initiatorProof(byte[] psk, byte[] sk, Transcript t) {
        return Primitives.sha1(t.randI(), t.randR(), psk, sk);
    }

    @Override
    public byte[] responderProof(byte[] psk, byte[] sk, Transcript t, byte[] initiatorProof) {
        return Primitives.sha1(t.randI(), t.randR(), psk, sk, initiatorProof);
    }

    @Override
    public byte[] trafficKey(byte[] sk, Direction direction) {
        return Arrays.copyOf(sk, 16);
    }

    @Override
    public int keyLength() {
        return 16;
    }
}
