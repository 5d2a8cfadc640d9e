package io.cpns.itests;

import io.cpns.api.message.UpdateOffer;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.release.Ed25519;
import io.cpns.release.ReleaseCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * The operator's side of a release, for the tests: a root key and a release key from fixed seeds
 * (so the framework property of a gateway can name the root key before the test runs), signed
 * keys documents and manifests made with cpns-release as the operator's tool does, and jars of the
 * distribution rebuilt with another version (and, for a release that must fail, a DS component
 * that can never be satisfied).
 */
final class Releases {
    static final byte[] ROOT_SEED = seed("cpns-itest-root-key");
    static final byte[] RELEASE_SEED = seed("cpns-itest-release-key");

    private Releases() {
    }

    /** {@code cpns.update.rootKeys} for a gateway that trusts the tests' root key. */
    static String rootKeysProperty() {
        return Base64.getEncoder().encodeToString(publicKey(ROOT_SEED));
    }

    static byte[] publicKey(byte[] seed) {
        return new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
    }

    /** The keys document in force: the tests' release key, {@code keysSeq}, signed by the root key. */
    static byte[][] keys(long keysSeq) {
        return keys(keysSeq, ROOT_SEED);
    }

    /** The same keys document signed by {@code rootSeed} (another root's: a gateway pinning the tests' root refuses it). */
    static byte[][] keys(long keysSeq, byte[] rootSeed) {
        byte[] pub = publicKey(RELEASE_SEED);
        byte[] doc = ReleaseCodec.encode(new ReleaseKeys(ReleaseKeys.FORMAT, keysSeq,
                List.of(new ReleaseKey(Ed25519.keyId(pub), pub, Instant.now().plusSeconds(86_400).getEpochSecond()))));
        return new byte[][] {doc, Ed25519.sign(rootSeed, doc)};
    }

    /**
     * A release directory as {@code bin/cpns-release sign} writes it (docs/updates.md §2.6): the
     * manifest and keys document with their signatures, and the jars, for {@code server:releasepublish}.
     *
     * @param rootSeed the root key that signs the keys document
     */
    static Path directory(Path dir, long releaseSeq, byte[] rootSeed, java.util.Map<BundleEntry, byte[]> jars) throws IOException {
        Files.createDirectories(dir);
        byte[][] k = keys(1, rootSeed);
        byte[][] m = manifest(releaseSeq, List.copyOf(jars.keySet()));
        Files.write(dir.resolve("keys.cbor"), k[0]);
        Files.write(dir.resolve("keys.sig"), k[1]);
        Files.write(dir.resolve("manifest.cbor"), m[0]);
        Files.write(dir.resolve("manifest.sig"), m[1]);
        for (java.util.Map.Entry<BundleEntry, byte[]> e : jars.entrySet()) {
            Files.write(dir.resolve(e.getKey().file()), e.getValue());
        }
        return dir;
    }

    /** A root key that no gateway of the tests pins. */
    static final byte[] OTHER_ROOT_SEED = seed("cpns-itest-another-root-key");

    /** A manifest of {@code bundles}, signed by the release key. */
    static byte[][] manifest(long releaseSeq, List<BundleEntry> bundles) {
        byte[] doc = ReleaseCodec.encode(new ReleaseManifest(ReleaseManifest.FORMAT, releaseSeq, "itest-" + releaseSeq, "cpns", "gateway",
                Instant.now().plusSeconds(86_400).getEpochSecond(), Ed25519.keyId(publicKey(RELEASE_SEED)), bundles));
        return new byte[][] {doc, Ed25519.sign(RELEASE_SEED, doc)};
    }

    /** An offer of a signed release (keys document 1). */
    static UpdateOffer offer(String rollout, long releaseSeq, String artifactUrl, List<BundleEntry> bundles) {
        byte[][] k = keys(1);
        byte[][] m = manifest(releaseSeq, bundles);
        return new UpdateOffer(rollout, m[0], m[1], k[0], k[1], artifactUrl, null);
    }

    static BundleEntry entry(String bsn, String version, byte[] jar, UpdateClass c, String file) {
        return new BundleEntry(bsn, version, jar.length, sha256(jar), 2, c, file);
    }

    /** The distribution's jar in bundle/FEATURE/ whose Bundle-SymbolicName is {@code bsn} (file names keep the artifactId). */
    static Path distJar(String feature, String bsn) {
        return CpnsOptions.jars(feature).stream().filter(p -> bsn.equals(symbolicName(p))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + bsn + " in bundle/" + feature));
    }

    private static String symbolicName(Path jar) {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest m = in.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";", 2)[0].trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code jar} with {@code Bundle-Version: version}; with {@code unsatisfiable}, a DS component no service will ever satisfy. */
    static byte[] rebuild(Path jar, String version, boolean unsatisfiable) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
            Manifest m = new Manifest(j.getManifest());
            Attributes a = m.getMainAttributes();
            a.putValue("Bundle-Version", version);
            String component = "OSGI-INF/cpns.itest.Unsatisfiable.xml";
            if (unsatisfiable) {
                String sc = a.getValue("Service-Component");
                a.putValue("Service-Component", sc == null ? component : sc + "," + component);
            }
            try (JarOutputStream o = new JarOutputStream(out, m)) {
                JarEntry e;
                byte[] buf = new byte[8192];
                while ((e = j.getNextJarEntry()) != null) {
                    o.putNextEntry(new JarEntry(e.getName()));
                    int n;
                    while ((n = j.read(buf)) > 0) {
                        o.write(buf, 0, n);
                    }
                    o.closeEntry();
                }
                if (unsatisfiable) {
                    o.putNextEntry(new JarEntry(component));
                    o.write(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"cpns.itest.Unsatisfiable\""
                            + " immediate=\"true\">\n"
                            + "  <implementation class=\"cpns.itest.NeverLoaded\"/>\n"
                            + "  <reference name=\"never\" interface=\"cpns.itest.NeverProvided\" cardinality=\"1..1\" policy=\"static\"/>\n"
                            + "</scr:component>\n").getBytes(StandardCharsets.UTF_8));
                    o.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] seed(String label) {
        return sha256(label.getBytes(StandardCharsets.UTF_8));
    }

    static List<BundleEntry> list(BundleEntry... e) {
        return new ArrayList<>(List.of(e));
    }
}
