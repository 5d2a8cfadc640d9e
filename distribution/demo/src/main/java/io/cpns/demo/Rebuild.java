package io.cpns.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A new build of a bundle of the distribution for the update demo and harness, made without Maven:
 * the same classes and resources, with a new {@code Bundle-Version} (what rebuilding it at that
 * version gives). For a release that must fail its trial, the build also declares a Declarative
 * Services component whose reference no bundle will ever satisfy: it installs, resolves and starts,
 * and the readiness report says the component is not satisfied, as with a real build that needs a
 * service the gateway does not have.
 */
final class Rebuild {
    static final String UNSATISFIABLE = "io.cpns.demo.NeedsAMissingService";

    private Rebuild() {
    }

    /** The distribution's jar in {@code bundle/<feature>/} whose Bundle-SymbolicName is {@code bsn}. */
    static Path distJar(Path home, String feature, String bsn) throws IOException {
        try (var s = Files.list(home.resolve("bundle").resolve(feature))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".jar")).toList()) {
                if (bsn.equals(symbolicName(p))) {
                    return p;
                }
            }
            throw new IOException("no " + bsn + " in bundle/" + feature);
        }
    }

    /** File names keep the artifactId ({@code gw-pn-…jar}); the manifest names the bundle. */
    private static String symbolicName(Path jar) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest m = in.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";", 2)[0].trim();
        }
    }

    /** Writes {@code jar} rebuilt at {@code version} to {@code out}. */
    static Path withVersion(Path jar, String version, boolean unsatisfiable, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
            Manifest m = new Manifest(j.getManifest());
            Attributes a = m.getMainAttributes();
            a.putValue("Bundle-Version", version);
            String component = "OSGI-INF/" + UNSATISFIABLE + ".xml";
            if (unsatisfiable) {
                String sc = a.getValue("Service-Component");
                a.putValue("Service-Component", sc == null ? component : sc + "," + component);
            }
            try (OutputStream o = Files.newOutputStream(out); JarOutputStream w = new JarOutputStream(o, m)) {
                byte[] buf = new byte[8192];
                for (JarEntry e; (e = j.getNextJarEntry()) != null; ) {
                    w.putNextEntry(new JarEntry(e.getName()));
                    for (int n; (n = j.read(buf)) > 0; ) {
                        w.write(buf, 0, n);
                    }
                    w.closeEntry();
                }
                if (unsatisfiable) {
                    w.putNextEntry(new JarEntry(component));
                    w.write(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"" + UNSATISFIABLE + "\""
                            + " immediate=\"true\">\n"
                            + "  <implementation class=\"" + UNSATISFIABLE + "\"/>\n"
                            + "  <reference name=\"missing\" interface=\"io.cpns.demo.MissingService\" cardinality=\"1..1\""
                            + " policy=\"static\"/>\n"
                            + "</scr:component>\n").getBytes(StandardCharsets.UTF_8));
                    w.closeEntry();
                }
            }
        }
        return out;
    }
}
