package io.cpns.crypto;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-GCM (NIST SP 800-38D) under one key: the MAC and the encryption of TS §5.3.3.1.1 "Message
 * protection" in one standard AEAD. Holds a prepared cipher so the key schedule runs once per
 * session, not per message. Not thread-safe: one instance per direction of a session.
 *
 * <p>The constructor copies the key (callers wipe their own array); {@link #close} wipes the copy,
 * after which the cipher refuses to work.
 */
public final class AeadCipher implements AutoCloseable {
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_BITS = 128;

    private final KeyParameter key;
    private volatile boolean closed;
    private final GCMModeCipher cipher = GCMBlockCipher.newInstance(AESEngine.newInstance());

    public AeadCipher(byte[] key) {
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException("AES key must be 16, 24 or 32 bytes");
        }
        this.key = new KeyParameter(key);
    }

    public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext) {
        ensureOpen();
        try {
            cipher.init(true, new AEADParameters(key, TAG_BITS, nonce, aad));
            byte[] out = new byte[cipher.getOutputSize(plaintext.length)];
            int n = cipher.processBytes(plaintext, 0, plaintext.length, out, 0);
            cipher.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("GCM encryption failed", e);
        }
    }

    /** @throws CpnsException {@code BAD_MAC} if the tag does not verify (wrong key, tampered data) */
    public byte[] open(byte[] nonce, byte[] aad, byte[] ciphertext) {
        ensureOpen();
        if (ciphertext.length < TAG_BITS / 8) {
            throw new CpnsException(ErrorCode.BAD_MAC, "ciphertext shorter than the tag");
        }
        try {
            cipher.init(false, new AEADParameters(key, TAG_BITS, nonce, aad));
            byte[] out = new byte[cipher.getOutputSize(ciphertext.length)];
            int n = cipher.processBytes(ciphertext, 0, ciphertext.length, out, 0);
            cipher.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            throw new CpnsException(ErrorCode.BAD_MAC, "message authentication failed");
        }
    }

    /** Nonce = 4-byte direction tag | 8-byte message counter, both big-endian: never repeats per key. */
    public static byte[] nonce(Direction direction, long seq) {
        byte[] n = new byte[NONCE_LENGTH];
        int tag = direction.nonceTag();
        n[0] = (byte) (tag >>> 24);
        n[1] = (byte) (tag >>> 16);
        n[2] = (byte) (tag >>> 8);
        n[3] = (byte) tag;
        System.arraycopy(Bytes.longBE(seq), 0, n, 4, 8);
        return n;
    }

    /** Wipes the key bytes. */
    @Override
    public void close() {
        closed = true;
        Bytes.wipe(key.getKey());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("cipher closed: its key was wiped");
        }
    }
}
