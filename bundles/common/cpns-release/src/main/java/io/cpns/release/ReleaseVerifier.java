package io.cpns.release;

import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The checks a gateway makes on an offered release before it downloads or touches anything, in
 * the order of docs/updates.md §2.4; the first that fails is the one reported. The two checks that
 * need the update agent's state (KNOWN_BAD, BUSY) come after and are the agent's. Nothing compared
 * here is secret (public keys, signatures, sequences), so no comparison needs constant time.
 * Thread-safe and stateless apart from the pinned root keys.
 */
public final class ReleaseVerifier {
    private final List<byte[]> rootKeys;

    /**
     * @param rootKeys the operator's root public keys (raw, 32 bytes each) pinned in the launcher
     *                 configuration; at least one
     */
    public ReleaseVerifier(List<byte[]> rootKeys) {
        if (rootKeys == null || rootKeys.isEmpty()) {
            throw new IllegalArgumentException("no root key pinned (cpns.update.rootKeys)");
        }
        List<byte[]> copies = new ArrayList<>();
        for (byte[] k : rootKeys) {
            if (k == null || k.length != Ed25519.KEY_LENGTH) {
                throw new IllegalArgumentException("a root key is a raw 32-byte Ed25519 public key");
            }
            copies.add(k.clone());
        }
        this.rootKeys = List.copyOf(copies);
    }

    /**
     * Parses the framework property {@code cpns.update.rootKeys}: one or more base64 (RFC 4648,
     * standard alphabet) raw Ed25519 public keys, comma-separated, spaces around them ignored.
     *
     * @throws IllegalArgumentException if it is missing or blank, or an item is not 32 bytes of base64
     */
    public static List<byte[]> parseRootKeys(String property) {
        if (property == null || property.isBlank()) {
            throw new IllegalArgumentException("cpns.update.rootKeys is not set: no root key to verify releases with");
        }
        List<byte[]> keys = new ArrayList<>();
        String[] items = property.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            byte[] k;
            try {
                k = Base64.getDecoder().decode(item);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cpns.update.rootKeys item " + (i + 1) + " is not base64");
            }
            if (k.length != Ed25519.KEY_LENGTH) {
                throw new IllegalArgumentException("cpns.update.rootKeys item " + (i + 1) + " has " + k.length
                        + " bytes, not the 32 of an Ed25519 public key");
            }
            keys.add(k);
        }
        return keys;
    }

    /**
     * Checks an offer: keys document decodes (MALFORMED), is signed by a pinned root key
     * (BAD_SIGNATURE), its {@code keysSeq} is not below the held one (REPLAYED); the manifest
     * decodes (MALFORMED), names a key of the document (UNKNOWN_KEY), is signed by it
     * (BAD_SIGNATURE); neither the key nor the manifest has expired (EXPIRED); product and role are
     * this runtime's (INCOMPATIBLE); {@code releaseSeq} is above the committed one (REPLAYED).
     *
     * @throws ReleaseRefusedException at the first check that fails
     */
    public VerifiedRelease verify(byte[] manifest, byte[] manifestSig, byte[] keys, byte[] keysSig, ReleasePolicy p)
            throws ReleaseRefusedException {
        ReleaseKeys doc = ReleaseCodec.decodeKeys(keys);
        if (rootKeys.stream().noneMatch(root -> Ed25519.verify(root, keys, keysSig))) {
            throw refused(UpdateFailure.BAD_SIGNATURE, "release keys " + doc.keysSeq()
                    + ": the signature does not verify with any pinned root key (cpns.update.rootKeys)");
        }
        if (doc.keysSeq() < p.heldKeysSeq()) {
            throw refused(UpdateFailure.REPLAYED, "release keys " + doc.keysSeq() + " are older than the "
                    + p.heldKeysSeq() + " held here (a rolled-back keys document)");
        }
        ReleaseManifest m = ReleaseCodec.decodeManifest(manifest);
        ReleaseKey signer = doc.keys().stream().filter(k -> k.keyId().equals(m.keyId())).findFirst()
                .orElseThrow(() -> refused(UpdateFailure.UNKNOWN_KEY, "release " + m.releaseSeq() + ": key " + m.keyId()
                        + " is not in release keys " + doc.keysSeq() + " (never certified, or revoked)"));
        if (!Ed25519.verify(signer.publicKey(), manifest, manifestSig)) {
            throw refused(UpdateFailure.BAD_SIGNATURE, "release " + m.releaseSeq()
                    + ": the manifest signature does not verify with key " + signer.keyId());
        }
        if (past(p.now(), signer.notAfter())) {
            throw refused(UpdateFailure.EXPIRED, "release " + m.releaseSeq() + ": key " + signer.keyId()
                    + " expired at " + Instant.ofEpochSecond(signer.notAfter()));
        }
        if (past(p.now(), m.expires())) {
            throw refused(UpdateFailure.EXPIRED, "release " + m.releaseSeq() + " expired at "
                    + Instant.ofEpochSecond(m.expires()));
        }
        if (!m.product().equals(p.product()) || !m.role().equals(p.role())) {
            throw refused(UpdateFailure.INCOMPATIBLE, "release " + m.releaseSeq() + " is for " + m.product() + "/"
                    + m.role() + ", this is " + p.product() + "/" + p.role());
        }
        if (m.releaseSeq() <= p.committedSeq()) {
            throw refused(UpdateFailure.REPLAYED, "release " + m.releaseSeq() + " is not above release "
                    + p.committedSeq() + " committed here (a downgrade is a new release with a higher sequence)");
        }
        return new VerifiedRelease(m, doc, signer);
    }

    /** Whether {@code now} is after the Unix time {@code seconds} (any uint64 of a document, beyond Instant's range too). */
    private static boolean past(Instant now, long seconds) {
        return now.getEpochSecond() > seconds || now.getEpochSecond() == seconds && now.getNano() > 0;
    }

    private static ReleaseRefusedException refused(UpdateFailure f, String detail) {
        return new ReleaseRefusedException(f, detail);
    }
}
