package io.cpns.server.update.internal;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.release.Ed25519;
import io.cpns.release.ReleaseCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/** A release directory as bin/cpns-release writes it, made with cpns-release's own codec and signatures (tests only). */
final class SignedRelease {
    final byte[] rootPrivate = new byte[32];
    final byte[] rootPublic;
    final byte[] releasePrivate = new byte[32];
    final byte[] releasePublic;

    SignedRelease() {
        SecureRandom r = new SecureRandom();
        r.nextBytes(rootPrivate);
        r.nextBytes(releasePrivate);
        rootPublic = new Ed25519PrivateKeyParameters(rootPrivate).generatePublicKey().getEncoded();
        releasePublic = new Ed25519PrivateKeyParameters(releasePrivate).generatePublicKey().getEncoded();
    }

    String rootKeyProperty() {
        return java.util.Base64.getEncoder().encodeToString(rootPublic);
    }

    /** A bundle jar with these headers and some filler. */
    static void jar(Path file, String symbolicName, String version, int filler) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", version);
        try (OutputStream o = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(o, mf)) {
            j.putNextEntry(new java.util.zip.ZipEntry("filler.bin"));
            byte[] b = new byte[filler];
            new SecureRandom().nextBytes(b);
            j.write(b);
            j.closeEntry();
        }
    }

    /** Writes jars, manifest.cbor/.sig and keys.cbor/.sig into {@code dir}; returns the manifest. */
    ReleaseManifest write(Path dir, long seq, long expires, String... bundles) throws Exception {
        Files.createDirectories(dir);
        List<BundleEntry> entries = new ArrayList<>();
        for (String sn : bundles) {
            String file = sn + "-1.0." + seq + ".jar";
            jar(dir.resolve(file), sn, "1.0." + seq, 2000);
            byte[] bytes = Files.readAllBytes(dir.resolve(file));
            entries.add(new BundleEntry(sn, "1.0." + seq, bytes.length, MessageDigest.getInstance("SHA-256").digest(bytes), 2, UpdateClass.HOT,
                    file));
        }
        String kid = Ed25519.keyId(releasePublic);
        ReleaseKeys keys = new ReleaseKeys(1, 1, List.of(new ReleaseKey(kid, releasePublic, expires)));
        ReleaseManifest m = new ReleaseManifest(1, seq, "test-" + seq, "cpns", "gateway", expires, kid, entries);
        byte[] k = ReleaseCodec.encode(keys);
        byte[] mb = ReleaseCodec.encode(m);
        Files.write(dir.resolve(Publisher.KEYS), k);
        Files.write(dir.resolve(Publisher.KEYS_SIG), Ed25519.sign(rootPrivate, k));
        Files.write(dir.resolve(Publisher.MANIFEST), mb);
        Files.write(dir.resolve(Publisher.MANIFEST_SIG), Ed25519.sign(releasePrivate, mb));
        return m;
    }
}
