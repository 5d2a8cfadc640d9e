package io.cpns.gw.credential.pkcs11;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.credential.CredentialModule.KeyUse;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Primitives;
import java.io.IOException;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.Provider;
import java.security.Security;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.security.auth.login.LoginException;

/**
 * One PKCS#11 token reached through the JDK's SunPKCS11 provider (module jdk.crypto.cryptoki),
 * logged in with the user PIN, and the EUKey in it: a secret key object of type AES, labelled
 * {@code keyLabel}, private (seen only after login). The provider is this object's own: it is
 * never added to {@link Security}, so nothing global changes when the bundle starts or stops.
 *
 * <p>What runs where (docs/security.md "Credential module"): the LocalEUKey unwrap's AES runs in
 * the token; HKDF-Extract and the PSK-TLS handshake need the key's value, which PKCS#11 through
 * SunPKCS11 gives only for a key created extractable and not sensitive, so the key is created so
 * and its value read for that one step, then wiped.
 */
final class Token implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Provider provider;
    private final KeyStore keys;
    private final String label;

    private Token(Provider provider, KeyStore keys, String label) {
        this.provider = provider;
        this.keys = keys;
        this.label = label;
    }

    /**
     * @param slot PKCS#11 slot ID, or -1 to take the {@code slotListIndex}-th slot with a token
     * @param pin the user PIN; not kept (the caller wipes it)
     */
    static Token open(String library, long slot, int slotListIndex, String label, char[] pin) {
        Provider p;
        try {
            String config = "--name=cpns-" + INSTANCES.incrementAndGet() + "\n"
                    + "library=" + library + "\n"
                    + (slot >= 0 ? "slot=" + slot : "slotListIndex=" + slotListIndex) + "\n"
                    // readable by this process after login: HKDF-Extract and PSK-TLS take the key's value (see above)
                    + "attributes(*,CKO_SECRET_KEY,*) = {\n  CKA_EXTRACTABLE = true\n  CKA_SENSITIVE = false\n}\n";
            Provider base = Security.getProvider("SunPKCS11");
            if (base == null) {
                throw new CpnsException(ErrorCode.UNAVAILABLE, "this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
            }
            p = base.configure(config);
        } catch (java.security.ProviderException | IllegalArgumentException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "PKCS#11 library " + library + " / slot " + (slot >= 0 ? slot : "#" + slotListIndex)
                    + " not usable: " + rootMessage(e));
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS11", p);
            ks.load(null, pin);
            return new Token(p, ks, label);
        } catch (GeneralSecurityException | IOException | java.security.ProviderException e) {
            throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "PKCS#11 token login failed (wrong PIN, or token locked?): "
                    + rootMessage(e));
        }
    }

    synchronized boolean holdsKey() {
        try {
            return keys.isKeyEntry(label);
        } catch (KeyStoreException | java.security.ProviderException e) {
            return false; // token removed or not reachable: not holding it now
        }
    }

    synchronized void importKey(byte[] euKey) {
        if (holdsKey()) {
            throw new CpnsException(ErrorCode.ALREADY_ASSIGNED, "the token already holds a key labelled '" + label + "'");
        }
        TransientKey k = new TransientKey(euKey);
        try {
            keys.setEntry(label, new KeyStore.SecretKeyEntry(k), null);
        } catch (KeyStoreException | java.security.ProviderException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the token did not take the EUKey: " + rootMessage(e));
        } finally {
            k.destroy();
        }
    }

    /** HKDF-Extract-SHA256(salt, EUKey): HMAC keyed by the salt over the key's value (read for this step, wiped). */
    byte[] hkdfExtract(byte[] salt) {
        byte[] v = value();
        try {
            return Primitives.hmacSha256(salt.length == 0 ? new byte[32] : salt, v);
        } finally {
            Bytes.wipe(v);
        }
    }

    byte[] unwrap(byte[] wrapped) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding", provider);
            c.init(Cipher.DECRYPT_MODE, key());
            return InTokenKeyWrap.unwrap(c, wrapped);
        } catch (GeneralSecurityException | java.security.ProviderException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the token's AES failed: " + rootMessage(e));
        }
    }

    <T> T withKey(KeyUse<T> use) throws IOException {
        byte[] v = value();
        try {
            return use.apply(v);
        } finally {
            Bytes.wipe(v);
        }
    }

    /** The key's value, read from the token now; the caller wipes it. */
    private byte[] value() {
        byte[] v = key().getEncoded(); // a fresh key object each time: SunPKCS11 caches the value in it
        if (v == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the token's key '" + label + "' is sensitive or not extractable: "
                    + "this module needs it readable after login for HKDF-Extract and PSK-TLS (docs/security.md)");
        }
        return v;
    }

    private synchronized Key key() {
        try {
            Key k = keys.getKey(label, null);
            if (k == null) {
                throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "the token holds no key labelled '" + label + "'");
            }
            return k;
        } catch (GeneralSecurityException | java.security.ProviderException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the token is not reachable: " + rootMessage(e));
        }
    }

    @Override
    public void close() {
        if (provider instanceof AuthProvider a) {
            try {
                a.logout();
            } catch (LoginException | java.security.ProviderException e) {
                // the token went away: nothing to log out of
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }

    /** The key handed to the token: a copy it reads once, wiped here when stored. */
    private static final class TransientKey implements SecretKey {
        private static final long serialVersionUID = 1L;
        private final byte[] value;

        TransientKey(byte[] value) {
            this.value = value.clone();
        }

        @Override
        public String getAlgorithm() {
            return "AES";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return value.clone();
        }

        @Override
        public void destroy() {
            Bytes.wipe(value);
        }

        @Override
        public boolean isDestroyed() {
            return value.length > 0 && value[0] == 0 && java.util.Arrays.equals(value, new byte[value.length]);
        }
    }
}
