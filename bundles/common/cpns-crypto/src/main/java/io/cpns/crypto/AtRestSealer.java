package io.cpns.crypto;

import io.cpns.api.store.SecretStore;
import java.util.Arrays;

/**
 * Encrypts secrets for a database: AES-256-GCM under a key of the secret store (created on first
 * use), with caller-chosen associated data that names the row, so a sealed value moved to another
 * row does not open. A database dump or backup alone reveals nothing. Layout: nonce (12) |
 * ciphertext+tag.
 */
public final class AtRestSealer implements AutoCloseable {
    private final byte[] key;

    private AtRestSealer(byte[] key) {
        this.key = key;
    }

    /** The sealer keyed by the secret store's {@code alias}, which is created on first use. */
    public static AtRestSealer of(SecretStore secrets, String alias) {
        return new AtRestSealer(secrets.get(alias).orElseGet(() -> {
            byte[] k = Randoms.bytes(32);
            secrets.put(alias, k);
            return k;
        }));
    }

    public byte[] seal(byte[] aad, byte[] secret) {
        byte[] nonce = Randoms.bytes(AeadCipher.NONCE_LENGTH);
        try (AeadCipher c = new AeadCipher(key)) {
            return Bytes.concat(nonce, c.seal(nonce, aad, secret));
        }
    }

    /** @throws io.cpns.api.CpnsException {@code BAD_MAC} if the value was tampered with or moved */
    public byte[] open(byte[] aad, byte[] sealed) {
        try (AeadCipher c = new AeadCipher(key)) {
            return c.open(Arrays.copyOf(sealed, AeadCipher.NONCE_LENGTH), aad, Arrays.copyOfRange(sealed, AeadCipher.NONCE_LENGTH, sealed.length));
        }
    }

    @Override
    public void close() {
        Bytes.wipe(key);
    }
}
