package io.cpns.release.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.testkit.Commands;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code bin/cpns-release} in a distribution layout ({@code bin/}, {@code lib/} with this
 * test's class path), as an operator runs it: under its umask 077, with the passphrase in the
 * environment, exit codes 0, 1 and 2.
 */
class ScriptTest {
    @TempDir
    Path home;

    /** bin/cpns-release in a distribution layout under {@link #home}. */
    private Path install() throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path script = bin.resolve("cpns-release");
        Files.copy(Path.of(System.getProperty("cpns.bin", "../src/main/dist/bin"), "cpns-release"), script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        libFromClassPath(Files.createDirectories(home.resolve("lib")));
        return script;
    }

    @Test
    void binCpnsRelease_runsTheCeremony_ownerOnly() throws Exception {
        Path script = install();
        Path work = Files.createDirectories(home.resolve("work"));
        Map<String, String> env = Map.of("RELEASE_PASS", "a passphrase from the environment");

        Processes.Run root = Processes.run(work, env, List.of(script.toString(), "keygen", "--root", "--out", "keys/root.key",
                "--passphrase-env", "RELEASE_PASS"));
        assertEquals(0, root.exit(), root.toString());
        String b64 = ToolTest.group(root.out(), "public key, base64: +(\\S+)");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("keys/root.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("keys"))));

        assertEquals(0, Processes.run(work, env, List.of(script.toString(), "keygen", "--release", "--out", "keys/rel.key",
                "--passphrase-env", "RELEASE_PASS")).exit());
        assertEquals(0, Processes.run(work, env, List.of(script.toString(), "certify", "--root-key", "keys/root.key", "--keys-seq", "1",
                "--key", "keys/rel.key.pub=P30D", "--out", "keys-1", "--passphrase-env", "RELEASE_PASS")).exit());
        Tool.bundle(work.resolve("jars"), "gw-pn.jar", "gw-pn", "1.0.0");
        Processes.Run sign = Processes.run(work, env, List.of(script.toString(), "sign", "--key", "keys/rel.key", "--keys", "keys-1",
                "--seq", "5", "--expires", "P7D", "--out", "releases/5", "--passphrase-env", "RELEASE_PASS", "jars/gw-pn.jar"));
        assertEquals(0, sign.exit(), sign.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("releases/5/gw-pn.jar"))),
                "umask 077 of the script");

        Processes.Run ok = Processes.run(work, Map.of(), List.of(script.toString(), "verify", "releases/5", "--root-key", b64));
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().startsWith("OK release 5 "), ok.toString());
        Processes.Run replayed = Processes.run(work, Map.of(), List.of(script.toString(), "verify", "releases/5", "--root-key", b64,
                "--committed-seq", "5"));
        assertEquals(1, replayed.exit(), replayed.toString());
        assertTrue(replayed.out().startsWith("REFUSED REPLAYED: "), replayed.toString());
        assertEquals(2, Processes.run(work, Map.of(), List.of(script.toString(), "verify")).exit(), "usage");
    }

    /**
     * The console path: under script(1) (a pseudo-terminal) keygen asks twice, the answers are not
     * echoed, and the key opens with them. Each answer is typed once its prompt is seen.
     */
    @Test
    void keygen_readsThePassphraseFromTheConsole_withoutEcho() throws Exception {
        String missing = Commands.missing("script").orElse(null);
        if (missing != null) {
            System.out.println("ScriptTest console case skipped: " + missing);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(missing == null, missing);
        Path script = install();
        Path work = Files.createDirectories(home.resolve("console"));
        String pass = "typed at the console 42";
        Process p = new ProcessBuilder("script", "-qec", script + " keygen --release --out typed.key", "/dev/null")
                .directory(work.toFile()).redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        java.io.InputStream in = p.getInputStream();
        java.io.OutputStream out = p.getOutputStream();
        for (String prompt : List.of("new passphrase for the release key typed.key: ", "again: ")) {
            while (seen.indexOf(prompt) < 0) {
                int c = in.read();
                if (c < 0) {
                    throw new AssertionError("ended before '" + prompt + "': " + seen);
                }
                seen.append((char) c);
            }
            seen.setLength(0);
            out.write((pass + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
        }
        String rest = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), rest);
        assertTrue(rest.contains("release key "), rest);
        assertTrue(!rest.contains(pass), "echoed: " + rest);
        KeyFiles.readPrivate(work.resolve("typed.key"), pass.toCharArray());
    }

    /** lib/ as the distribution has it: the jars of this test's class path, directories packed as jars. */
    private static void libFromClassPath(Path lib) throws IOException {
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                jarUp(p, lib.resolve("dir" + (n++) + ".jar"));
            } else if (entry.endsWith(".jar")) {
                Files.createSymbolicLink(lib.resolve((n++) + "-" + p.getFileName()), p.toAbsolutePath());
            }
        }
    }

    private static void jarUp(Path dir, Path jar) throws IOException {
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o);
                Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                j.putNextEntry(new JarEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }
}
