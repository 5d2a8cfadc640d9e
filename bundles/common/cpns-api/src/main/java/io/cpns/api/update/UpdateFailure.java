package io.cpns.api.update;

/**
 * Why an update was refused, failed or rolled back: one value per cause, so an operator's figures
 * tell them apart (docs/updates.md §5).
 */
public enum UpdateFailure {
    // REFUSED: nothing was downloaded or touched
    /** The manifest's (or the release keys document's) signature does not verify. */
    BAD_SIGNATURE,
    /** The manifest names a key the root did not certify, or one no longer in force. */
    UNKNOWN_KEY,
    /** The manifest, or its release key, is past its expiry. */
    EXPIRED,
    /** {@code releaseSeq} is not above the highest committed (replay or downgrade), or the keys document is older than the one held. */
    REPLAYED,
    /** Another product or role. */
    INCOMPATIBLE,
    /** The manifest or keys document is not valid canonical CBOR of the format. */
    MALFORMED,
    /** This release was rolled back here before; it is not retried by itself. */
    KNOWN_BAD,
    /**
     * Another release is being applied. Not a rollout's outcome: the CPNS agent answers such an
     * offer with the error {@code BUSY} (nothing recorded, the Server offers it again later) and
     * never sends this in an {@code UpdateStatus}; kept for peers that report it.
     */
    BUSY,
    // FAILED: downloaded bytes refused or the download did not complete; framework untouched
    SIZE_MISMATCH,
    HASH_MISMATCH,
    /** The bundle is not the one the manifest names (symbolic name or version). */
    WRONG_BUNDLE,
    DOWNLOAD_FAILED,
    NO_SPACE,
    // ROLLED_BACK: applied, then undone
    INSTALL_FAILED,
    START_FAILED,
    /** A DS component stayed unsatisfied or the readiness report was not green in the trial period. */
    HEALTH_FAILED,
    /** No round trip with the CPNS Server over the session in the trial period. */
    SERVER_UNREACHABLE,
    BROKER_UNREACHABLE,
    /** A PNE link that was up before the update was lost. */
    PNE_LINKS_LOST,
    /** The gateway did not come up on the new set within the boot guard's attempts. */
    BOOT_FAILED
}
