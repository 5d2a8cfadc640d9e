package io.cpns.release;

import static io.cpns.release.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleCheckTest {
    @TempDir
    Path dir;

    /** A small real bundle jar with the given headers (null: absent). */
    static Path jar(Path dir, String name, String symbolicName, String version) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            mf.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        if (version != null) {
            mf.getMainAttributes().putValue("Bundle-Version", version);
        }
        Path p = dir.resolve(name);
        try (OutputStream o = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(o, mf)) {
            j.putNextEntry(new JarEntry("io/cpns/x/Some.class"));
            j.write(new byte[300]);
            j.closeEntry();
        }
        return p;
    }

    static BundleEntry entryOf(Path jar, String sn, String version) throws Exception {
        byte[] b = Files.readAllBytes(jar);
        return new BundleEntry(sn, version, b.length, MessageDigest.getInstance("SHA-256").digest(b), 2, UpdateClass.HOT,
                jar.getFileName().toString());
    }

    @Test
    void theJarItNames_passes_withDirectivesAndShortVersionsNormalized() throws Exception {
        Path j = jar(dir, "gw-pn.jar", "gw-pn;singleton:=true", "1.2");
        BundleCheck.verify(entryOf(j, "gw-pn", "1.2.0"), j);
    }

    @Test
    void anotherSize_isASizeMismatch() throws Exception {
        Path j = jar(dir, "gw-pn.jar", "gw-pn", "1.2.0");
        BundleEntry e = entryOf(j, "gw-pn", "1.2.0");
        Files.write(j, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(refused(UpdateFailure.SIZE_MISMATCH, () -> BundleCheck.verify(e, j)).detail()
                .contains((e.size() + 1) + " bytes, the manifest says " + e.size()));
        Files.write(j, new byte[10]);
        refused(UpdateFailure.SIZE_MISMATCH, () -> BundleCheck.verify(e, j));
    }

    @Test
    void oneByteChanged_isAHashMismatch() throws Exception {
        Path j = jar(dir, "gw-pn.jar", "gw-pn", "1.2.0");
        BundleEntry e = entryOf(j, "gw-pn", "1.2.0");
        byte[] b = Files.readAllBytes(j);
        b[b.length / 2] ^= 0x40;
        Files.write(j, b);
        assertTrue(refused(UpdateFailure.HASH_MISMATCH, () -> BundleCheck.verify(e, j)).detail().contains("SHA-256"));
    }

    @Test
    void anotherBundle_isTheWrongBundle() throws Exception {
        Path other = jar(dir, "gw-link.jar", "gw-link", "1.2.0");
        assertTrue(refused(UpdateFailure.WRONG_BUNDLE, () -> BundleCheck.verify(entryOf(other, "gw-pn", "1.2.0"), other))
                .detail().contains("the jar is 'gw-link' '1.2.0'"));
        Path older = jar(dir, "gw-pn-old.jar", "gw-pn", "1.1.9");
        refused(UpdateFailure.WRONG_BUNDLE, () -> BundleCheck.verify(entryOf(older, "gw-pn", "1.2.0"), older));
        Path plain = jar(dir, "plain.jar", null, null);
        assertTrue(refused(UpdateFailure.WRONG_BUNDLE, () -> BundleCheck.verify(entryOf(plain, "gw-pn", "1.2.0"), plain))
                .detail().contains("no Bundle-SymbolicName"));
        Path badVersion = jar(dir, "bad.jar", "gw-pn", "one");
        refused(UpdateFailure.WRONG_BUNDLE, () -> BundleCheck.verify(entryOf(badVersion, "gw-pn", "1.2.0"), badVersion));
    }

    @Test
    void bytesThatAreNoJar_signedAsOne_areTheWrongBundle() throws Exception {
        Path j = dir.resolve("gw-pn.jar");
        Files.write(j, "not a zip at all".getBytes());
        refused(UpdateFailure.WRONG_BUNDLE, () -> BundleCheck.verify(entryOf(j, "gw-pn", "1.2.0"), j));
    }

    @Test
    void longNames_keepTheDetailShort() throws Exception {
        Path j = jar(dir, "gw-pn.jar", "gw-pn", "1.2.0");
        BundleEntry e = entryOf(j, "gw-pn", "1.2.0");
        BundleEntry longNames = new BundleEntry("x".repeat(255), "1.2.3." + "q".repeat(120), e.size() + 1, e.sha256(), 2,
                UpdateClass.HOT, "f".repeat(255));
        refused(UpdateFailure.SIZE_MISMATCH, () -> BundleCheck.verify(longNames, j)); // checks the detail is at most 240
    }

    @Test
    void aMissingFile_isADownloadFailure() throws Exception {
        Path j = jar(dir, "gw-pn.jar", "gw-pn", "1.2.0");
        BundleEntry e = entryOf(j, "gw-pn", "1.2.0");
        Files.delete(j);
        refused(UpdateFailure.DOWNLOAD_FAILED, () -> BundleCheck.verify(e, j));
    }
}
