package io.cpns.api.update;

import java.util.List;
import java.util.Objects;

/**
 * What a release installs, as signed by an operator release key (docs/updates.md §2). Its wire form
 * is canonical CBOR; the signature covers those exact bytes.
 *
 * @param format     manifest format, 1
 * @param releaseSeq monotonic sequence of the operator's releases: a gateway installs only a release
 *                   above the highest it committed (an operator downgrade is a new release)
 * @param name       a label for people ("2026.12-1"); never compared
 * @param product    the product this release is for ("cpns"); a gateway of another product refuses it
 * @param role       the runtime role it is for ("gateway")
 * @param expires    Unix time (seconds) after which a gateway refuses it
 * @param keyId      the release key that signed it (see {@link ReleaseKey#keyId()})
 * @param bundles    the bundles it brings; bundles it does not list stay as they are
 */
public record ReleaseManifest(int format, long releaseSeq, String name, String product, String role, long expires,
        String keyId, List<BundleEntry> bundles) {
    public static final int FORMAT = 1;

    public ReleaseManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(keyId, "keyId");
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
    }

    /** Whether applying it needs a restart of the framework (any bundle of class RESTART). */
    public boolean needsRestart() {
        return bundles.stream().anyMatch(b -> b.updateClass() == UpdateClass.RESTART);
    }
}
