package io.cpns.crypto;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** The standard primitives the suites compose: SHA-1, SHA-256, HMAC (RFC 2104), HKDF (RFC 5869). */
public final class Primitives {
    private Primitives() {
    }

    public static byte[] sha1(byte[]... parts) {
        return digest(new SHA1Digest(), parts);
    }

    public static byte[] sha256(byte[]... parts) {
        return digest(SHA256Digest.newInstance(), parts);
    }

    public static byte[] hmacSha1(byte[] key, byte[]... parts) {
        return hmac(new SHA1Digest(), key, parts);
    }

    public static byte[] hmacSha256(byte[] key, byte[]... parts) {
        return hmac(SHA256Digest.newInstance(), key, parts);
    }

    /** HKDF-SHA256 extract-then-expand. */
    public static byte[] hkdfSha256(byte[] salt, byte[] ikm, byte[] info, int length) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(SHA256Digest.newInstance());
        g.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        g.generateBytes(out, 0, length);
        return out;
    }

    /** PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) of a password already encoded as bytes. */
    public static byte[] pbkdf2Sha256(byte[] password, byte[] salt, int iterations, int length) {
        org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator g =
                new org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator(SHA256Digest.newInstance());
        g.init(password, salt, iterations);
        return ((org.bouncycastle.crypto.params.KeyParameter) g.generateDerivedParameters(length * 8)).getKey();
    }

    /** HKDF-SHA256 expand only, with {@code prk} already a pseudorandom key. */
    public static byte[] hkdfExpandSha256(byte[] prk, byte[] info, int length) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(SHA256Digest.newInstance());
        g.init(HKDFParameters.skipExtractParameters(prk, info));
        byte[] out = new byte[length];
        g.generateBytes(out, 0, length);
        return out;
    }

    private static byte[] digest(Digest d, byte[]... parts) {
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }

    private static byte[] hmac(Digest d, byte[] key, byte[]... parts) {
        HMac m = new HMac(d);
        m.init(new KeyParameter(key));
        for (byte[] p : parts) {
            m.update(p, 0, p.length);
        }
        byte[] out = new byte[m.getMacSize()];
        m.doFinal(out, 0);
        return out;
    }
}
