package io.cpns.gw.credential.pkcs11;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * AES key unwrap (RFC 3394 §2.2.2) whose AES operations run in the token: the KEK never leaves
 * it. SunPKCS11 of Java 17 has no AES/KW cipher, so the 6n block decryptions are the token's
 * AES-ECB and only the wrapping algorithm's bookkeeping runs here.
 */
final class InTokenKeyWrap {
    private static final byte[] IV = {(byte) 0xA6, (byte) 0xA6, (byte) 0xA6, (byte) 0xA6, (byte) 0xA6, (byte) 0xA6, (byte) 0xA6,
        (byte) 0xA6};

    private InTokenKeyWrap() {
    }

    /** @param aesDecrypt AES/ECB/NoPadding, initialised to decrypt under the KEK held in the token */
    static byte[] unwrap(Cipher aesDecrypt, byte[] wrapped) throws GeneralSecurityException {
        if (wrapped.length < 24 || wrapped.length % 8 != 0) {
            throw new CpnsException(ErrorCode.MALFORMED, "a wrapped key is a multiple of 8 bytes, at least 24");
        }
        int n = wrapped.length / 8 - 1;
        byte[] a = java.util.Arrays.copyOf(wrapped, 8);
        byte[] r = java.util.Arrays.copyOfRange(wrapped, 8, wrapped.length);
        byte[] block = new byte[16];
        byte[] out = null;
        try {
            for (int j = 5; j >= 0; j--) {
                for (int i = n; i >= 1; i--) {
                    long t = (long) n * j + i;
                    System.arraycopy(a, 0, block, 0, 8);
                    for (int k = 0; k < 8; k++) {
                        block[7 - k] ^= (byte) (t >>> (8 * k));
                    }
                    System.arraycopy(r, (i - 1) * 8, block, 8, 8);
                    out = aesDecrypt.doFinal(block);
                    System.arraycopy(out, 0, a, 0, 8);
                    System.arraycopy(out, 8, r, (i - 1) * 8, 8);
                    Bytes.wipe(out);
                }
            }
            if (!Bytes.constantTimeEquals(a, IV)) {
                Bytes.wipe(r);
                throw new CpnsException(ErrorCode.BAD_MAC, "the key was not wrapped under this PN GW's EUKey, or was altered");
            }
            return r;
        } finally {
            Bytes.wipe(block, a);
        }
    }
}
