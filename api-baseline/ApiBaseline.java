import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * Writes the API baseline of bundles: for each built bundle jar, a stripped jar holding only what
 * bnd's baseline compares (the manifest's identity and {@code io.cpns.*} exports, and the classes
 * of those exported packages), in Maven repository layout under {@code <out>/io/cpns/<artifactId>/<version>/},
 * with a minimal POM and SHA-1 files. bnd-baseline-maven-plugin compares each module's new jar
 * with it (root pom.xml, docs/architecture.md "Versions and the API baseline", D118).
 *
 * <p>Run from the repository root with the JDK alone (no build step, no dependency):
 * <pre>java api-baseline/ApiBaseline.java [--out DIR] VERSION JAR...</pre>
 * The output is byte-for-byte reproducible (sorted entries, fixed times). A version directory that
 * exists is never rewritten: Maven keeps the first copy it resolved in the local repository, so a
 * rewritten baseline would be silently ignored on every machine that already built once.
 */
public final class ApiBaseline {
    /** 1980-02-01T00:00:00Z: a fixed entry time (the earliest a zip entry stores faithfully, plus a month). */
    private static final long FIXED_TIME = 315_532_800_000L + 31L * 24 * 3600 * 1000;
    private static final String EXPORTED_PREFIX = "io.cpns.";

    private ApiBaseline() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("api-baseline");
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        if (rest.size() < 2) {
            System.err.println("usage: java api-baseline/ApiBaseline.java [--out DIR] VERSION JAR...");
            System.exit(2);
        }
        String version = rest.get(0);
        int failures = 0;
        for (String jar : rest.subList(1, rest.size())) {
            try {
                Path written = strip(Path.of(jar), version, out);
                System.out.println("api-baseline: " + written);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("api-baseline: " + jar + ": " + e.getMessage());
                failures++;
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Writes the stripped copy of {@code jar} as {@code version}; refuses to overwrite an existing one. */
    static Path strip(Path jar, String version, Path out) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = in.getManifest();
            if (manifest == null || manifest.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                throw new IllegalArgumentException("not a bundle (no Bundle-SymbolicName)");
            }
            Properties coordinates = mavenCoordinates(in);
            String groupId = coordinates.getProperty("groupId");
            String artifactId = coordinates.getProperty("artifactId");
            Path dir = out.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version);
            Path target = dir.resolve(artifactId + "-" + version + ".jar");
            if (Files.exists(dir)) {
                throw new IllegalArgumentException(dir + " exists: a baseline version is never rewritten, choose a new one");
            }
            Attributes main = manifest.getMainAttributes();
            List<String> exports = ourExports(main.getValue("Export-Package"));
            Set<String> packageDirs = new TreeSet<>();
            for (String clause : exports) {
                packageDirs.add(packageName(clause).replace('.', '/') + "/");
            }

            Manifest stripped = new Manifest();
            Attributes a = stripped.getMainAttributes();
            a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            a.putValue("Bundle-ManifestVersion", "2");
            a.putValue("Bundle-SymbolicName", main.getValue("Bundle-SymbolicName"));
            a.putValue("Bundle-Version", osgiVersion(version));
            if (!exports.isEmpty()) {
                a.putValue("Export-Package", String.join(",", exports));
            }

            TreeMap<String, byte[]> entries = new TreeMap<>();
            for (JarEntry e : in.stream().toList()) {
                String name = e.getName();
                int slash = name.lastIndexOf('/');
                if (e.isDirectory() || slash < 0 || !packageDirs.contains(name.substring(0, slash + 1))) {
                    continue;
                }
                try (InputStream s = in.getInputStream(e)) {
                    entries.put(name, s.readAllBytes());
                }
            }

            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".baseline", ".tmp");
            try {
                try (OutputStream fo = Files.newOutputStream(tmp); JarOutputStream zo = new JarOutputStream(fo)) {
                    put(zo, "META-INF/MANIFEST.MF", manifestBytes(stripped));
                    for (var en : entries.entrySet()) {
                        put(zo, en.getKey(), en.getValue());
                    }
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            String pom = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<!-- API baseline of " + artifactId + " (api-baseline/README.md): not a release, never a dependency -->\n"
                    + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                    + "<groupId>" + groupId + "</groupId><artifactId>" + artifactId + "</artifactId>"
                    + "<version>" + version + "</version><packaging>jar</packaging></project>\n";
            Path pomFile = dir.resolve(artifactId + "-" + version + ".pom");
            Files.writeString(pomFile, pom, StandardCharsets.UTF_8);
            for (Path p : List.of(target, pomFile)) {
                Files.writeString(p.resolveSibling(p.getFileName() + ".sha1"), sha1(Files.readAllBytes(p)), StandardCharsets.US_ASCII);
            }
            return target;
        }
    }

    private static Properties mavenCoordinates(JarFile in) throws IOException {
        for (JarEntry e : in.stream().toList()) {
            if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
                Properties p = new Properties();
                try (InputStream s = in.getInputStream(e)) {
                    p.load(s);
                }
                return p;
            }
        }
        throw new IllegalArgumentException("no META-INF/maven/**/pom.properties: not a jar built by Maven");
    }

    /** The clauses of an Export-Package header whose package is one of ours (third-party packages a lib-* bundle re-exports keep their upstream versions). */
    static List<String> ourExports(String header) {
        List<String> ours = new ArrayList<>();
        if (header == null) {
            return ours;
        }
        for (String clause : splitClauses(header)) {
            if (packageName(clause).startsWith(EXPORTED_PREFIX)) {
                ours.add(clause);
            }
        }
        return ours;
    }

    /** Splits an OSGi header at the commas that are outside quoted strings ({@code uses:="a,b"}). */
    static List<String> splitClauses(String header) {
        List<String> clauses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            clauses.add(current.toString().trim());
        }
        return clauses;
    }

    private static String packageName(String clause) {
        int semi = clause.indexOf(';');
        return (semi < 0 ? clause : clause.substring(0, semi)).trim();
    }

    /** {@code 0.1.0} stays, {@code 1.2.3-rc1} becomes {@code 1.2.3.rc1}: an OSGi version. */
    private static String osgiVersion(String maven) {
        String[] parts = maven.split("-", 2);
        return parts.length == 1 ? parts[0] : parts[0] + "." + parts[1].replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static byte[] manifestBytes(Manifest m) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.write(b);
        return b.toByteArray();
    }

    private static void put(JarOutputStream zo, String name, byte[] content) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(FIXED_TIME);
        zo.putNextEntry(e);
        zo.write(content);
        zo.closeEntry();
    }

    private static String sha1(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
