package io.cpns.gw.update;

import io.cpns.api.message.UpdateOffer;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.UpdateFailure;
import io.cpns.release.BundleCheck;
import io.cpns.release.ReleasePolicy;
import io.cpns.release.ReleaseRefusedException;
import io.cpns.release.ReleaseVerifier;
import io.cpns.release.VerifiedRelease;
import java.nio.file.Path;
import java.time.Instant;

/** {@link ReleaseCheck} by the signing library (cpns-release), with the operator's pinned root keys; product cpns, role gateway. */
final class SignedReleases implements ReleaseCheck {
    static final String PRODUCT = "cpns";
    static final String ROLE = "gateway";

    private final ReleaseVerifier verifier;

    private SignedReleases(ReleaseVerifier verifier) {
        this.verifier = verifier;
    }

    /** @throws IllegalArgumentException when the property is not a list of base64 Ed25519 public keys */
    static ReleaseCheck pinned(String rootKeysProperty) {
        return new SignedReleases(new ReleaseVerifier(ReleaseVerifier.parseRootKeys(rootKeysProperty)));
    }

    /** With no root key: only the jar check (never reached: every offer is refused first). */
    static ReleaseCheck none() {
        return new SignedReleases(null);
    }

    @Override
    public Verified verify(UpdateOffer o, long committedSeq, long heldKeysSeq) throws UpdateException {
        try {
            VerifiedRelease v = verifier.verify(o.manifest(), o.manifestSignature(), o.releaseKeys(), o.releaseKeysSignature(),
                    new ReleasePolicy(Instant.now(), committedSeq, heldKeysSeq, PRODUCT, ROLE));
            return new Verified(v.manifest(), v.keys());
        } catch (ReleaseRefusedException e) {
            throw UpdateException.refused(e.failure(), e.detail());
        }
    }

    @Override
    public long releaseSeqOf(UpdateOffer o) {
        try {
            return io.cpns.release.ReleaseCodec.decodeManifest(o.manifest()).releaseSeq(); // bounded, strict decoder; nothing trusted
        } catch (ReleaseRefusedException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void checkJar(BundleEntry entry, Path jar) throws UpdateException {
        try {
            BundleCheck.verify(entry, jar);
        } catch (ReleaseRefusedException e) {
            throw UpdateException.failed(e.failure() == null ? UpdateFailure.HASH_MISMATCH : e.failure(), e.detail());
        }
    }
}
