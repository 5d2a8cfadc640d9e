package io.cpns.gw.update;

import io.cpns.api.message.UpdateOffer;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import java.nio.file.Path;

/**
 * What the agent asks of the signing library (cpns-release): the checks of docs/updates.md §2.4
 * up to REPLAYED on an offer, and a downloaded jar against its manifest entry.
 */
interface ReleaseCheck {
    /** A release whose signatures, keys, expiry, compatibility and sequence hold. */
    record Verified(ReleaseManifest manifest, ReleaseKeys keys) {
    }

    /** @throws UpdateException REFUSED with MALFORMED, BAD_SIGNATURE, REPLAYED, UNKNOWN_KEY, EXPIRED or INCOMPATIBLE */
    Verified verify(UpdateOffer offer, long committedSeq, long heldKeysSeq) throws UpdateException;

    /** The {@code releaseSeq} an offer's manifest names, for the status of a refusal; 0 when it does not decode. */
    long releaseSeqOf(UpdateOffer offer);

    /** @throws UpdateException FAILED with SIZE_MISMATCH, HASH_MISMATCH or WRONG_BUNDLE */
    void checkJar(BundleEntry entry, Path jar) throws UpdateException;
}
