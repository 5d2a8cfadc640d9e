package io.cpns.release;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 (RFC 8032, pure: the message itself is signed, not a pre-hash) through Bouncy Castle's
 * lightweight API, so nothing global (a JCA provider) is registered. Keys are raw: the 32-byte
 * public key, and the 32-byte private key (RFC 8032's seed). Signatures are detached, 64 bytes,
 * over the exact bytes of a document.
 */
public final class Ed25519 {
    public static final int KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519() {
    }

    /** Lowercase hex of the first 16 bytes of SHA-256 over the raw 32-byte public key (32 characters). */
    public static String keyId(byte[] rawPublicKey) {
        if (rawPublicKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + rawPublicKey.length);
        }
        SHA256Digest d = new SHA256Digest();
        d.update(rawPublicKey, 0, rawPublicKey.length);
        byte[] h = new byte[32];
        d.doFinal(h, 0);
        return HexFormat.of().formatHex(h, 0, 16);
    }

    /**
     * Signs {@code data}. The caller wipes {@code rawPrivateKey} when done; Bouncy Castle's key
     * object keeps a copy of its own until it is collected (it has no way to be wiped).
     */
    public static byte[] sign(byte[] rawPrivateKey, byte[] data) {
        if (rawPrivateKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 private key has 32 bytes, not " + rawPrivateKey.length);
        }
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(rawPrivateKey, 0);
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, key);
        s.update(data, 0, data.length);
        return s.generateSignature();
    }

    /**
     * False for a signature that does not verify, one of the wrong length, or a public key that is
     * not an encoded curve point; never throws for such input.
     */
    public static boolean verify(byte[] rawPublicKey, byte[] data, byte[] sig) {
        if (rawPublicKey == null || data == null || sig == null || rawPublicKey.length != KEY_LENGTH
                || sig.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            Ed25519Signer s = new Ed25519Signer();
            s.init(false, new Ed25519PublicKeyParameters(rawPublicKey, 0));
            s.update(data, 0, data.length);
            return s.verifySignature(sig);
        } catch (IllegalArgumentException notAPoint) {
            return false;
        }
    }

    /** The public key of a raw private key (for the operator's tool and tests). */
    static byte[] publicKey(byte[] rawPrivateKey) {
        byte[] copy = rawPrivateKey.clone();
        try {
            return new Ed25519PrivateKeyParameters(copy, 0).generatePublicKey().getEncoded();
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
    }
}
