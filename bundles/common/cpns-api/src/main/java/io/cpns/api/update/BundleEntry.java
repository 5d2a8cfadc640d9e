package io.cpns.api.update;

import java.util.Objects;

/**
 * One bundle of a {@link ReleaseManifest}.
 *
 * @param symbolicName {@code Bundle-SymbolicName} of the jar
 * @param version      {@code Bundle-Version} of the jar
 * @param size         length of the jar in bytes
 * @param sha256       SHA-256 of the jar (32 bytes)
 * @param startLevel   OSGi start level the bundle runs at
 * @param updateClass  how it is applied
 * @param file         name of the jar under the release's artifact location (no '/', no "..")
 */
public record BundleEntry(String symbolicName, String version, long size, byte[] sha256, int startLevel,
        UpdateClass updateClass, String file) {
    public BundleEntry {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(updateClass, "updateClass");
        Objects.requireNonNull(file, "file");
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BundleEntry b && symbolicName.equals(b.symbolicName) && version.equals(b.version)
                && size == b.size && java.util.Arrays.equals(sha256, b.sha256) && startLevel == b.startLevel
                && updateClass == b.updateClass && file.equals(b.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(symbolicName, version, size, java.util.Arrays.hashCode(sha256), startLevel, updateClass, file);
    }
}
