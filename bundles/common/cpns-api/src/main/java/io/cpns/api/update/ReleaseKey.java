package io.cpns.api.update;

import java.util.Objects;

/**
 * An operator release key, as certified by the root key in a {@link ReleaseKeys} document.
 *
 * @param keyId     lowercase hex of the first 16 bytes of SHA-256 over {@code publicKey}
 * @param publicKey the raw 32-byte Ed25519 public key (RFC 8032)
 * @param notAfter  Unix time (seconds) after which a manifest it signed is refused
 */
public record ReleaseKey(String keyId, byte[] publicKey, long notAfter) {
    public ReleaseKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(publicKey, "publicKey");
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReleaseKey k && keyId.equals(k.keyId) && java.util.Arrays.equals(publicKey, k.publicKey)
                && notAfter == k.notAfter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyId, java.util.Arrays.hashCode(publicKey), notAfter);
    }
}
