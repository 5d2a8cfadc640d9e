package io.cpns.release.tool;

import io.cpns.api.file.AtomicFile;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.release.BundleCheck;
import io.cpns.release.Ed25519;
import io.cpns.release.ReleaseCodec;
import io.cpns.release.ReleaseRefusedException;
import io.cpns.release.ReleaseVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Builds and signs a release from bundle jars: reads each jar's symbolic name, version, size and
 * SHA-256, writes the release directory (the jars, manifest.cbor, manifest.sig, keys.cbor,
 * keys.sig) next to OUT and renames it to OUT once complete and checked.
 */
@Command(name = "sign", sortOptions = false, header = "Builds a release from bundle jars and signs it with a release key.",
        description = "Writes the release directory OUT: manifest.cbor, manifest.sig, keys.cbor, keys.sig (copied from "
            + "--keys) and the jars. Update classes default to RESTART for io.cpns.session, io.cpns.crypto, io.cpns.keystore, "
            + "Bouncy Castle, the runtime feature, io.cpns.gw.mqtt, the broker and Netty, HOT for the rest; start levels to 1 "
            + "for the runtime feature, 2 for the rest.")
final class SignCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "the release key's encrypted private key")
    Path key;

    @Option(names = "--keys", required = true, paramLabel = "DIR",
            description = "directory with the root-signed keys.cbor and keys.sig that certify the release key")
    Path keysDir;

    @Option(names = "--root-key", paramLabel = "BASE64[,BASE64]|FILE",
            description = "the pinned root key(s), as in cpns.update.rootKeys, or the root's .pub file: also check keys.sig before signing")
    String rootKeys;

    @Option(names = "--seq", required = true, paramLabel = "N", description = "releaseSeq: above every release signed before")
    long seq;

    @Option(names = "--expires", required = true, paramLabel = "WHEN",
            description = "when gateways stop accepting it: 2027-03-31T12:00:00Z, 2027-03-31 or P30D")
    String expires;

    @Option(names = "--name", paramLabel = "NAME", description = "a label for people (default: the sequence)")
    String name;

    @Option(names = "--product", defaultValue = "cpns", description = "product (default ${DEFAULT-VALUE})")
    String product;

    @Option(names = "--role", defaultValue = "gateway", description = "role (default ${DEFAULT-VALUE})")
    String role;

    @Option(names = "--class", paramLabel = "SN=HOT|RESTART", description = "update class of a bundle, instead of the default")
    Map<String, UpdateClass> classes = new HashMap<>();

    @Option(names = "--start-level", paramLabel = "SN=LEVEL", description = "start level of a bundle, instead of the default")
    Map<String, Integer> startLevels = new HashMap<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the release directory to create")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "JAR", description = "the bundle jars of the release")
    List<Path> jars;

    @Mixin
    Passphrase passphrase;

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        PrintWriter o = spec.commandLine().getOut();
        if (Files.exists(out) && !isEmptyDirectory(out)) {
            throw new ToolException(out + " exists: not overwritten");
        }
        byte[] keysBytes = ReleaseDir.read(keysDir, ReleaseDir.KEYS);
        byte[] keysSig = ReleaseDir.read(keysDir, ReleaseDir.KEYS_SIG);
        ReleaseKeys keys;
        try {
            keys = ReleaseCodec.decodeKeys(keysBytes);
        } catch (ReleaseRefusedException e) {
            throw new ToolException(keysDir.resolve(ReleaseDir.KEYS) + ": " + e.detail());
        }
        if (rootKeys != null) {
            List<byte[]> roots = roots(rootKeys);
            if (roots.stream().noneMatch(r -> Ed25519.verify(r, keysBytes, keysSig))) {
                throw new ToolException(keysDir.resolve(ReleaseDir.KEYS_SIG) + " does not verify with the given root key");
            }
        }
        long expiresAt = When.parse(expires, now);
        if (expiresAt <= now.getEpochSecond()) {
            throw new ToolException("--expires " + expires + " is already past");
        }
        List<BundleEntry> bundles = readBundles();

        char[] pass = passphrase.read(main, "the release key " + key.getFileName());
        byte[] priv = null;
        byte[] publicKey;
        byte[] manifestBytes;
        byte[] sig;
        ReleaseManifest manifest;
        try {
            priv = KeyFiles.readPrivate(key, pass);
            publicKey = KeyFiles.publicKey(priv);
            String kid = Ed25519.keyId(publicKey);
            ReleaseKey certified = keys.keys().stream().filter(k -> k.keyId().equals(kid)).findFirst()
                    .orElseThrow(() -> new ToolException("release key " + kid + " is not in release keys " + keys.keysSeq()
                            + ": certify it first (gateways would refuse the release as UNKNOWN_KEY)"));
            if (certified.notAfter() < now.getEpochSecond()) {
                throw new ToolException("release key " + kid + " expired at " + When.format(certified.notAfter()));
            }
            if (certified.notAfter() < expiresAt) {
                o.printf("note: release key %s ends at %s, before the release expires: gateways refuse it from then on%n",
                        kid, When.format(certified.notAfter()));
            }
            manifest = new ReleaseManifest(ReleaseManifest.FORMAT, seq, name == null ? Long.toString(seq) : name, product,
                    role, expiresAt, kid, bundles);
            try {
                manifestBytes = ReleaseCodec.encode(manifest);
            } catch (IllegalArgumentException x) {
                throw new ToolException("cannot sign: " + x.getMessage());
            }
            sig = Ed25519.sign(priv, manifestBytes);
        } finally {
            Passphrase.wipe(pass);
            if (priv != null) {
                Arrays.fill(priv, (byte) 0);
            }
        }
        if (!Ed25519.verify(publicKey, manifestBytes, sig)) {
            throw new ToolException("the signature just made does not verify: nothing written");
        }
        write(manifest, manifestBytes, sig, keysBytes, keysSig);

        long restart = bundles.stream().filter(b -> b.updateClass() == UpdateClass.RESTART).count();
        o.printf("release %d '%s' for %s/%s signed by %s: %d bundles (%d RESTART), expires %s%n", seq, manifest.name(),
                product, role, manifest.keyId(), bundles.size(), restart, When.format(expiresAt));
        o.printf("  %s%n", out);
        o.flush();
        return 0;
    }

    private List<BundleEntry> readBundles() throws ToolException {
        List<BundleEntry> l = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> files = new HashSet<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new ToolException(jar + " is not a file");
            }
            String file = jar.getFileName().toString();
            String sn;
            String version;
            try (JarFile f = new JarFile(jar.toFile(), false)) {
                Manifest m = f.getManifest();
                String header = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
                if (header == null || header.split(";")[0].isBlank()) {
                    throw new ToolException(jar + " is not a bundle: no Bundle-SymbolicName");
                }
                sn = header.split(";")[0].trim();
                version = Versions.normalize(m.getMainAttributes().getValue("Bundle-Version"));
                if (version == null) {
                    throw new ToolException(jar + ": Bundle-Version '" + m.getMainAttributes().getValue("Bundle-Version")
                            + "' is not an OSGi version");
                }
            } catch (IOException | SecurityException e) {
                throw new ToolException(jar + " is not a readable jar");
            }
            if (!names.add(sn)) {
                throw new ToolException("two jars are bundle " + sn + ": a release has each bundle once");
            }
            if (!files.add(file)) {
                throw new ToolException("two jars are named " + file);
            }
            long size;
            byte[] sha;
            try (InputStream in = Files.newInputStream(jar)) {
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 << 10];
                int n;
                size = 0;
                while ((n = in.read(buf)) > 0) {
                    d.update(buf, 0, n);
                    size += n;
                }
                sha = d.digest();
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                throw new ToolException("cannot read " + jar);
            }
            UpdateClass cls = classes.getOrDefault(sn, Placement.updateClass(sn));
            int level = startLevels.getOrDefault(sn, Placement.startLevel(sn));
            l.add(new BundleEntry(sn, version, size, sha, level, cls, file));
        }
        for (String sn : classes.keySet()) {
            if (!names.contains(sn)) {
                throw new ToolException("--class " + sn + ": no such bundle among the jars");
            }
        }
        for (String sn : startLevels.keySet()) {
            if (!names.contains(sn)) {
                throw new ToolException("--start-level " + sn + ": no such bundle among the jars");
            }
        }
        return l;
    }

    /** Writes everything into a temporary sibling, checks the copies, then renames it to {@link #out}. */
    private void write(ReleaseManifest manifest, byte[] manifestBytes, byte[] sig, byte[] keysBytes, byte[] keysSig)
            throws ToolException {
        Path parent = out.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            SecureFiles.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".", SecureFiles.ownerOnly("rwx------"));
            for (int i = 0; i < jars.size(); i++) {
                BundleEntry e = manifest.bundles().get(i);
                Path copy = tmp.resolve(e.file());
                Files.copy(jars.get(i), copy); // not its attributes: the copy is owner-only like the rest
                AtomicFile.sync(copy);
                try {
                    BundleCheck.verify(e, copy); // the jar changed between reading and copying, or the copy is bad
                } catch (ReleaseRefusedException x) {
                    throw new ToolException(jars.get(i) + ": " + x.getMessage());
                }
            }
            SecureFiles.writeSynced(tmp.resolve(ReleaseDir.MANIFEST), manifestBytes);
            SecureFiles.writeSynced(tmp.resolve(ReleaseDir.MANIFEST_SIG), sig);
            SecureFiles.writeSynced(tmp.resolve(ReleaseDir.KEYS), keysBytes);
            SecureFiles.writeSynced(tmp.resolve(ReleaseDir.KEYS_SIG), keysSig);
            AtomicFile.syncDirectory(tmp);
            if (Files.exists(out)) {
                Files.delete(out); // empty (checked before): the rename takes its place
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            AtomicFile.syncDirectory(parent);
        } catch (IOException e) {
            throw new ToolException("cannot write " + out + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Root keys as in cpns.update.rootKeys (base64, comma-separated), or a root's .pub file. */
    static List<byte[]> roots(String property) throws ToolException {
        if (Files.isRegularFile(Path.of(property))) {
            return List.of(KeyFiles.readPublic(Path.of(property)));
        }
        try {
            return ReleaseVerifier.parseRootKeys(property);
        } catch (IllegalArgumentException e) {
            throw new ToolException("--root-key: " + e.getMessage().replace("cpns.update.rootKeys", "the value"));
        }
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: an owner-only temporary directory left behind
        }
    }
}
