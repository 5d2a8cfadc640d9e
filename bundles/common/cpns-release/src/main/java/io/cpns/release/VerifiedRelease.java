package io.cpns.release;

import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import java.util.Objects;

/**
 * A release that passed every check of {@link ReleaseVerifier#verify}: its manifest, the keys
 * document that certified its signer (its {@code keysSeq} is the one to hold from now on), and the
 * release key that signed it.
 */
public record VerifiedRelease(ReleaseManifest manifest, ReleaseKeys keys, ReleaseKey signer) {
    public VerifiedRelease {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(signer, "signer");
    }
}
