package io.cpns.crypto;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 signatures (RFC 8032): what a PN GW signs its broadcast Group Key messages with, so a
 * member that shares tree keys with others can still tell the PN GW's messages from theirs.
 * Keys are raw 32-byte values: the private key is RFC 8032's seed.
 */
public final class Ed25519 {
    public static final int KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519() {
    }

    /** A new private key (seed). */
    public static byte[] generate() {
        return Randoms.bytes(KEY_LENGTH);
    }

    public static byte[] publicKey(byte[] privateKey) {
        return new Ed25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
    }

    public static byte[] sign(byte[] privateKey, byte[] message) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, new Ed25519PrivateKeyParameters(privateKey, 0));
        s.update(message, 0, message.length);
        return s.generateSignature();
    }

    /** False for a wrong signature, a wrong-length one, or a public key that is not a curve point. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            Ed25519Signer s = new Ed25519Signer();
            s.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            s.update(message, 0, message.length);
            return s.verifySignature(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
