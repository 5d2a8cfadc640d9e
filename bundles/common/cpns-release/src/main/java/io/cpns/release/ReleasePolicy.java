package io.cpns.release;

import java.util.Objects;

/**
 * What a gateway checks a release against.
 *
 * @param now          the time expiries are compared with
 * @param committedSeq the highest {@code releaseSeq} committed here (0 before the first); a release
 *                     must be above it
 * @param heldKeysSeq  the highest {@code keysSeq} accepted here (0 before the first); a keys document
 *                     below it is refused, an equal one accepted
 * @param product      this runtime's product ("cpns")
 * @param role         this runtime's role ("gateway")
 */
public record ReleasePolicy(java.time.Instant now, long committedSeq, long heldKeysSeq, String product, String role) {
    public ReleasePolicy {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(role, "role");
    }
}
