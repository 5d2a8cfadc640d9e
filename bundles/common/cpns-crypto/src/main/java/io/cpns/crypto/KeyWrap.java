package io.cpns.crypto;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.Wrapper;
import org.bouncycastle.crypto.engines.AESWrapEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/** AES key wrap, RFC 3394: how keys travel encrypted under another key (LocalEUKey, KeyPNE, Group Keys). */
final class KeyWrap {
    private KeyWrap() {
    }

    static byte[] wrap(byte[] kek, byte[] key) {
        if (key.length < 16 || key.length % 8 != 0) {
            throw new IllegalArgumentException("RFC 3394 wraps keys of 16 bytes or more, in 8-byte steps");
        }
        Wrapper w = new AESWrapEngine();
        w.init(true, new KeyParameter(kek));
        return w.wrap(key, 0, key.length);
    }

    static byte[] unwrap(byte[] kek, byte[] wrapped) {
        if (wrapped.length < 24 || wrapped.length % 8 != 0) {
            throw new CpnsException(ErrorCode.BAD_MAC, "wrapped key has an invalid length");
        }
        Wrapper w = new AESWrapEngine();
        w.init(false, new KeyParameter(kek));
        try {
            return w.unwrap(wrapped, 0, wrapped.length);
        } catch (InvalidCipherTextException e) {
            throw new CpnsException(ErrorCode.BAD_MAC, "key unwrap failed: wrong key or tampered data");
        }
    }
}
