package io.cpns.release;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.UpdateFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Checks a downloaded jar against its manifest entry, in this order: its size (SIZE_MISMATCH), its
 * SHA-256, streamed (HASH_MISMATCH), then its {@code Bundle-SymbolicName} and {@code Bundle-Version}
 * (WRONG_BUNDLE). The jar's own manifest is parsed only once its bytes are known to be the signed
 * ones, so a hostile file never reaches the zip parser.
 */
public final class BundleCheck {
    private BundleCheck() {
    }

    /**
     * @throws ReleaseRefusedException SIZE_MISMATCH, HASH_MISMATCH or WRONG_BUNDLE; DOWNLOAD_FAILED
     *                                 if the file cannot be read at all
     */
    public static void verify(BundleEntry e, Path jar) throws ReleaseRefusedException {
        String what = cut(e.symbolicName(), 64) + " " + cut(e.version(), 32) + " (" + cut(e.file(), 64) + ")";
        long size;
        try {
            size = Files.size(jar);
        } catch (IOException x) {
            throw new ReleaseRefusedException(UpdateFailure.DOWNLOAD_FAILED, what + ": cannot read the downloaded file ("
                    + why(x) + ")");
        }
        if (size != e.size()) {
            throw new ReleaseRefusedException(UpdateFailure.SIZE_MISMATCH, what + ": " + size + " bytes, the manifest says "
                    + e.size());
        }
        byte[] sha = sha256(jar, size, what);
        if (!MessageDigest.isEqual(sha, e.sha256())) {
            throw new ReleaseRefusedException(UpdateFailure.HASH_MISMATCH, what + ": SHA-256 " + HexFormat.of().formatHex(sha)
                    + ", the manifest says " + HexFormat.of().formatHex(e.sha256()));
        }
        Attributes main;
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            Manifest m = f.getManifest();
            main = m == null ? new Attributes() : m.getMainAttributes();
        } catch (IOException | RuntimeException x) {
            throw new ReleaseRefusedException(UpdateFailure.WRONG_BUNDLE, what + ": not a readable jar");
        }
        String sn = symbolicName(main.getValue("Bundle-SymbolicName"));
        if (sn == null) {
            throw new ReleaseRefusedException(UpdateFailure.WRONG_BUNDLE, what + ": not a bundle (no Bundle-SymbolicName)");
        }
        String version = BundleVersions.normalize(main.getValue("Bundle-Version"));
        if (!sn.equals(e.symbolicName()) || !e.version().equals(version)) {
            throw new ReleaseRefusedException(UpdateFailure.WRONG_BUNDLE, what + ": the jar is "
                    + CanonicalCbor.quote(sn) + " " + (version == null ? "with an invalid Bundle-Version" : CanonicalCbor.quote(version)));
        }
    }

    /** {@code Bundle-SymbolicName} without its directives ({@code ;singleton:=true}), or null if absent. */
    static String symbolicName(String header) {
        if (header == null) {
            return null;
        }
        int semicolon = header.indexOf(';');
        String sn = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
        return sn.isEmpty() ? null : sn;
    }

    /** Keeps a detail short (a status on the wire, one log line): entries may hold names of up to 255 characters. */
    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** Our words for why a file could not be read (an exception's own text may hold anything). */
    private static String why(IOException x) {
        if (x instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (x instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return "read error";
    }

    private static byte[] sha256(Path jar, long size, String what) throws ReleaseRefusedException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) { // every Java platform has SHA-256
            throw new IllegalStateException(impossible);
        }
        long read = 0;
        try (InputStream in = Files.newInputStream(jar)) {
            byte[] buf = new byte[64 << 10];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
                read += n;
                if (read > size) {
                    break; // grew while read: refused below, whatever its length now
                }
            }
        } catch (IOException x) {
            throw new ReleaseRefusedException(UpdateFailure.DOWNLOAD_FAILED, what + ": cannot read the downloaded file ("
                    + why(x) + ")");
        }
        if (read != size) {
            throw new ReleaseRefusedException(UpdateFailure.SIZE_MISMATCH, what + ": changed while it was read");
        }
        return d.digest();
    }
}
