package io.cpns.release.tool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.release.Ed25519;
import io.cpns.release.ReleaseCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signing ceremony of docs/operator-guide.md §9 through the tool's picocli entry: root and
 * release keys, a keys document, a release from jars, then verify and inspect, and every refusal
 * verify reports. One ceremony for the class (each key use costs a 600 000-iteration PBKDF2).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ToolTest {
    static final String ROOT_PASS = "correct horse battery staple root";
    static final String RELEASE_PASS = "correct horse battery staple release";

    @TempDir
    static Path dir;
    static Tool tool = new Tool();
    static Path rootPass;
    static Path releasePass;
    static String rootB64;
    static String releaseKid;
    static Path keys1;
    static Path release42;

    @BeforeAll
    static void ceremony() throws Exception {
        rootPass = write("root.pass", ROOT_PASS);
        releasePass = write("release.pass", RELEASE_PASS);
        Tool.Result root = ok(tool.run("keygen", "--root", "--out", dir.resolve("offline/root.key").toString(),
                "--passphrase-file", rootPass.toString()));
        rootB64 = group(root.out(), "public key, base64: +(\\S+)");
        assertTrue(root.out().contains("cpns.update.rootKeys=" + rootB64), root.out());
        Tool.Result release = ok(tool.run("keygen", "--release", "--out", dir.resolve("offline/release-1.key").toString(),
                "--passphrase-file", releasePass.toString()));
        releaseKid = group(release.out(), "release key ([0-9a-f]{32})");

        keys1 = dir.resolve("keys-1");
        ok(tool.run("certify", "--root-key", dir.resolve("offline/root.key").toString(), "--keys-seq", "1",
                "--key", dir.resolve("offline/release-1.key.pub") + "=P365D", "--out", keys1.toString(),
                "--passphrase-file", rootPass.toString()));

        Path jars = dir.resolve("jars");
        Tool.bundle(jars, "gw-pn-1.3.0.jar", "io.cpns.gw.pn", "1.3.0");
        Tool.bundle(jars, "cpns-session-1.0.1.jar", "io.cpns.session;singleton:=true", "1.0.1");
        Tool.bundle(jars, "org.apache.felix.scr-2.2.18.jar", "org.apache.felix.scr", "2.2.18");
        Tool.bundle(jars, "netty-codec-4.1.141.Final.jar", "io.netty.codec", "4.1.141.Final");
        Tool.bundle(jars, "pan-ip.jar", "io.cpns.pan.ip", "1.0");
        release42 = dir.resolve("releases/42");
        Tool.Result sign = ok(tool.run(Stream.concat(Stream.of("sign", "--key", dir.resolve("offline/release-1.key").toString(),
                "--keys", keys1.toString(), "--root-key", rootB64, "--seq", "42", "--expires", "P30D", "--name", "2026.12-1",
                "--start-level", "io.cpns.pan.ip=3", "--class", "io.cpns.pan.ip=RESTART", "--out", release42.toString(),
                "--passphrase-file", releasePass.toString()),
                Stream.of("gw-pn-1.3.0.jar", "cpns-session-1.0.1.jar", "org.apache.felix.scr-2.2.18.jar",
                        "netty-codec-4.1.141.Final.jar", "pan-ip.jar").map(f -> jars.resolve(f).toString())).toArray(String[]::new)));
        assertTrue(sign.out().contains("release 42 '2026.12-1' for cpns/gateway signed by " + releaseKid + ": 5 bundles (4 RESTART)"),
                sign.out());
    }

    @Test
    @Order(1)
    void keygen_writesAnEncryptedPkcs8PemOwnerOnly_andItsPublicKey() throws Exception {
        Path key = dir.resolve("offline/root.key");
        String pem = Files.readString(key);
        assertTrue(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), pem);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
        assertTrue(Files.readString(dir.resolve("offline/root.key.pub")).startsWith("-----BEGIN PUBLIC KEY-----"));
        byte[] raw = KeyFiles.readPublic(dir.resolve("offline/root.key.pub"));
        assertEquals(rootB64, java.util.Base64.getEncoder().encodeToString(raw));
        assertArrayEquals(raw, KeyFiles.publicKey(KeyFiles.readPrivate(key, ROOT_PASS.toCharArray())));
        try (Stream<Path> s = Files.list(key.getParent())) {
            assertEquals(List.of("release-1.key", "release-1.key.pub", "root.key", "root.key.pub"),
                    s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()), "no temporary file left");
        }
    }

    @Test
    void keygen_neverOverwritesAKey() throws Exception {
        byte[] before = Files.readAllBytes(dir.resolve("offline/root.key"));
        Tool.Result r = tool.run("keygen", "--root", "--out", dir.resolve("offline/root.key").toString(),
                "--passphrase-file", rootPass.toString());
        assertEquals(Main.EXIT_ERROR, r.exit(), r.toString());
        assertTrue(r.err().contains("exists: not overwritten"), r.toString());
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("offline/root.key")));
    }

    @Test
    void passphrases_neverOnTheCommandLine_fromTheConsoleTwice_longEnough() throws Exception {
        Tool.Result arg = tool.run("keygen", "--root", "--out", dir.resolve("x/a.key").toString(), "--passphrase", ROOT_PASS);
        assertEquals(2, arg.exit(), arg.toString()); // no such option
        assertFalse(arg.out().contains(ROOT_PASS), "the passphrase is not echoed back");

        Tool t = new Tool();
        t.typed.addAll(List.of("a long enough passphrase", "a long enough passphrase"));
        Tool.Result console = t.run("keygen", "--release", "--out", dir.resolve("x/console.key").toString());
        assertEquals(0, console.exit(), console.toString());
        assertEquals(2, t.prompts, "asked twice");
        assertTrue(Files.exists(dir.resolve("x/console.key")));

        t.typed.addAll(List.of("a long enough passphrase", "another passphrase!!"));
        Tool.Result differ = t.run("keygen", "--release", "--out", dir.resolve("x/differ.key").toString());
        assertEquals(Main.EXIT_ERROR, differ.exit());
        assertTrue(differ.err().contains("the two passphrases differ"), differ.toString());
        assertFalse(Files.exists(dir.resolve("x/differ.key")));

        t.typed.addAll(List.of("short", "short"));
        assertTrue(t.run("keygen", "--release", "--out", dir.resolve("x/short.key").toString()).err().contains("shorter than 12"));

        Tool.Result noConsole = new Tool().run("keygen", "--release", "--out", dir.resolve("x/none.key").toString());
        assertTrue(noConsole.err().contains("no console"), noConsole.toString());

        Tool e = new Tool();
        e.env.put("CPNS_RELEASE_PASS", "from the environment, long");
        assertEquals(0, e.run("keygen", "--release", "--out", dir.resolve("x/env.key").toString(), "--passphrase-env",
                "CPNS_RELEASE_PASS").exit());
        assertTrue(e.run("keygen", "--release", "--out", dir.resolve("x/unset.key").toString(), "--passphrase-env", "NOPE")
                .err().contains("NOPE is not set"));
        KeyFiles.readPrivate(dir.resolve("x/env.key"), "from the environment, long".toCharArray());
    }

    @Test
    void aWrongPassphrase_isSaidAsSuch() throws Exception {
        Path wrong = write("wrong.pass", "not the passphrase at all");
        Tool.Result r = tool.run("certify", "--root-key", dir.resolve("offline/root.key").toString(), "--keys-seq", "9",
                "--key", dir.resolve("offline/release-1.key.pub") + "=P1D", "--out", dir.resolve("keys-wrong").toString(),
                "--passphrase-file", wrong.toString());
        assertEquals(Main.EXIT_ERROR, r.exit(), r.toString());
        assertTrue(r.err().contains("wrong passphrase or damaged file"), r.toString());
        assertFalse(Files.exists(dir.resolve("keys-wrong/keys.cbor")));
    }

    @Test
    void sign_buildsTheManifestFromTheJars_withTheDefaultTableAndOverrides() throws Exception {
        ReleaseManifest m = ReleaseCodec.decodeManifest(Files.readAllBytes(release42.resolve("manifest.cbor")));
        assertEquals(42, m.releaseSeq());
        assertEquals(releaseKid, m.keyId());
        Map<String, BundleEntry> b = m.bundles().stream().collect(Collectors.toMap(BundleEntry::symbolicName, x -> x));
        assertEquals(UpdateClass.HOT, b.get("io.cpns.gw.pn").updateClass());
        assertEquals(2, b.get("io.cpns.gw.pn").startLevel());
        assertEquals(UpdateClass.RESTART, b.get("io.cpns.session").updateClass());
        assertEquals(UpdateClass.RESTART, b.get("org.apache.felix.scr").updateClass());
        assertEquals(1, b.get("org.apache.felix.scr").startLevel());
        assertEquals(UpdateClass.RESTART, b.get("io.netty.codec").updateClass());
        assertEquals("4.1.141.Final", b.get("io.netty.codec").version());
        assertEquals(UpdateClass.RESTART, b.get("io.cpns.pan.ip").updateClass(), "--class override");
        assertEquals(3, b.get("io.cpns.pan.ip").startLevel(), "--start-level override");
        assertEquals("1.0.0", b.get("io.cpns.pan.ip").version(), "normalized");
        byte[] jar = Files.readAllBytes(release42.resolve("gw-pn-1.3.0.jar"));
        assertEquals(jar.length, b.get("io.cpns.gw.pn").size());
        assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(jar), b.get("io.cpns.gw.pn").sha256());
        assertArrayEquals(Files.readAllBytes(keys1.resolve("keys.cbor")), Files.readAllBytes(release42.resolve("keys.cbor")));
        try (Stream<Path> s = Files.list(release42.getParent())) {
            assertEquals(List.of("42"), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()), "no temporary directory left");
        }
    }

    @Test
    void verify_acceptsTheRelease_andInspectShowsIt() throws Exception {
        Tool.Result v = tool.run("verify", release42.toString(), "--root-key", rootB64, "--committed-seq", "41");
        assertEquals(0, v.exit(), v.toString());
        assertTrue(v.out().startsWith("OK release 42 '2026.12-1' for cpns/gateway, signed by " + releaseKid
                + " (release keys 1), 5 bundles verified"), v.out());
        Tool.Result i = ok(tool.run("inspect", release42.toString()));
        assertTrue(i.out().contains("release 42 '2026.12-1'") && i.out().contains("io.cpns.session") && i.out().contains("RESTART")
                && i.out().contains(releaseKid + "  not after") && i.out().contains("(signed this release)"), i.out());
    }

    @Test
    void verify_refusals_nameTheFailure_andExit1() throws Exception {
        assertRefused("REPLAYED", "not above release 42", release42, "--committed-seq", "42");
        assertRefused("REPLAYED", "older than the 2 held", release42, "--keys-seq", "2");
        assertRefused("INCOMPATIBLE", "this is cpns/server", release42, "--role", "server");
        assertRefused("EXPIRED", "release 42 expired", release42, "--at", "P31D");
        assertRefused("EXPIRED", "key " + releaseKid + " expired", release42, "--at", "P400D");

        Path other = dir.resolve("offline/other-root.key");
        Tool.Result o = ok(tool.run("keygen", "--root", "--out", other.toString(), "--passphrase-file", rootPass.toString()));
        String otherB64 = group(o.out(), "public key, base64: +(\\S+)");
        assertRefused("BAD_SIGNATURE", "pinned root key", release42, "--root-key-override", otherB64);

        Path tampered = copy(release42, "tampered-manifest");
        byte[] m = Files.readAllBytes(tampered.resolve("manifest.cbor"));
        int at = new String(m, StandardCharsets.ISO_8859_1).indexOf("2026.12-1");
        m[at] = '3'; // "3026.12-1": still a well-formed manifest
        Files.write(tampered.resolve("manifest.cbor"), m);
        assertRefused("BAD_SIGNATURE", "manifest signature", tampered);

        Path jar = copy(release42, "tampered-jar");
        byte[] j = Files.readAllBytes(jar.resolve("gw-pn-1.3.0.jar"));
        j[j.length / 2] ^= 1;
        Files.write(jar.resolve("gw-pn-1.3.0.jar"), j);
        assertRefused("HASH_MISMATCH", "io.cpns.gw.pn 1.3.0", jar);

        Path swapped = copy(release42, "swapped-jar");
        Files.copy(swapped.resolve("pan-ip.jar"), swapped.resolve("gw-pn-1.3.0.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertRefused("SIZE_MISMATCH", "io.cpns.gw.pn", swapped);
    }

    @Test
    void rotationAndRevocation_aNewerKeysDocumentWithoutTheKey() throws Exception {
        ok(tool.run("keygen", "--release", "--out", dir.resolve("offline/release-2.key").toString(),
                "--passphrase-file", releasePass.toString()));
        Path keys2 = dir.resolve("keys-2");
        ok(tool.run("certify", "--root-key", dir.resolve("offline/root.key").toString(), "--keys-seq", "2",
                "--key", dir.resolve("offline/release-2.key.pub") + "=2099-12-31", "--out", keys2.toString(),
                "--passphrase-file", rootPass.toString()));
        // release-1 revoked: signing with it is refused at once
        Tool.Result s = tool.run("sign", "--key", dir.resolve("offline/release-1.key").toString(), "--keys", keys2.toString(),
                "--seq", "43", "--expires", "P1D", "--out", dir.resolve("releases/43").toString(),
                "--passphrase-file", releasePass.toString(), dir.resolve("jars/gw-pn-1.3.0.jar").toString());
        assertEquals(Main.EXIT_ERROR, s.exit(), s.toString());
        assertTrue(s.err().contains("is not in release keys 2: certify it first"), s.toString());
        assertFalse(Files.exists(dir.resolve("releases/43")));
        // a release by release-1 offered with keys 2: unknown key
        Path revoked = copy(release42, "revoked");
        Files.copy(keys2.resolve("keys.cbor"), revoked.resolve("keys.cbor"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(keys2.resolve("keys.sig"), revoked.resolve("keys.sig"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertRefused("UNKNOWN_KEY", "never certified, or revoked", revoked);
        // a key given as its base64 value (with its '=' padding) and a root given as its .pub file
        String b64 = java.util.Base64.getEncoder().encodeToString(KeyFiles.readPublic(dir.resolve("offline/release-2.key.pub")));
        assertTrue(b64.endsWith("="));
        Tool.Result byValue = ok(tool.run("certify", "--root-key", dir.resolve("offline/root.key").toString(), "--keys-seq", "3",
                "--key", b64 + "=2099-12-31", "--out", dir.resolve("keys-3").toString(), "--passphrase-file", rootPass.toString()));
        assertTrue(byValue.out().contains(Ed25519.keyId(java.util.Base64.getDecoder().decode(b64)) + "  not after 2099-12-31T23:59:59Z"),
                byValue.out());
        assertEquals(0, tool.run("sign", "--key", dir.resolve("offline/release-2.key").toString(), "--keys", dir.resolve("keys-3").toString(),
                "--root-key", dir.resolve("offline/root.key.pub").toString(), "--seq", "44", "--expires", "P1D",
                "--out", dir.resolve("releases/44").toString(), "--passphrase-file", releasePass.toString(),
                dir.resolve("jars/gw-pn-1.3.0.jar").toString()).exit());
        // release-2 signs
        ok(tool.run("sign", "--key", dir.resolve("offline/release-2.key").toString(), "--keys", keys2.toString(),
                "--seq", "43", "--expires", "2099-01-01", "--out", dir.resolve("releases/43").toString(),
                "--passphrase-file", releasePass.toString(), dir.resolve("jars/gw-pn-1.3.0.jar").toString()));
        Tool.Result v = tool.run("verify", dir.resolve("releases/43").toString(), "--root-key", rootB64, "--keys-seq", "2",
                "--committed-seq", "42");
        assertEquals(0, v.exit(), v.toString());
    }

    @Test
    void sign_refusesWhatAGatewayWouldRefuse_andWritesNothing() throws Exception {
        Path jars = dir.resolve("bad-jars");
        Path plain = Tool.bundle(jars, "plain.jar", null, null);
        Path a = Tool.bundle(jars, "a.jar", "io.cpns.gw.pn", "1.0.0");
        Path b = Tool.bundle(jars, "b.jar", "io.cpns.gw.pn", "1.1.0");
        Path odd = Tool.bundle(jars, "with space.jar", "io.cpns.gw.link", "1.0.0");
        for (Map.Entry<List<String>, String> c : Map.of(
                List.of(plain.toString()), "not a bundle",
                List.of(a.toString(), b.toString()), "two jars are bundle io.cpns.gw.pn",
                List.of(odd.toString()), "not a plain file name",
                List.of(a.toString(), "--class", "io.cpns.gw.link=HOT"), "--class io.cpns.gw.link: no such bundle").entrySet()) {
            Tool.Result r = tool.run(Stream.concat(Stream.of("sign", "--key", dir.resolve("offline/release-1.key").toString(),
                    "--keys", keys1.toString(), "--seq", "50", "--expires", "P1D", "--out", dir.resolve("releases/50").toString(),
                    "--passphrase-file", releasePass.toString()), c.getKey().stream()).toArray(String[]::new));
            assertEquals(Main.EXIT_ERROR, r.exit(), r.toString());
            assertTrue(r.err().contains(c.getValue()), c.getValue() + " in " + r);
            assertFalse(Files.exists(dir.resolve("releases/50")));
        }
        Tool.Result exists = tool.run("sign", "--key", dir.resolve("offline/release-1.key").toString(), "--keys", keys1.toString(),
                "--seq", "50", "--expires", "P1D", "--out", release42.toString(), "--passphrase-file", releasePass.toString(), a.toString());
        assertTrue(exists.err().contains("exists: not overwritten"), exists.toString());
        Tool.Result past = tool.run("sign", "--key", dir.resolve("offline/release-1.key").toString(), "--keys", keys1.toString(),
                "--seq", "50", "--expires", "2020-01-01", "--out", dir.resolve("releases/50").toString(),
                "--passphrase-file", releasePass.toString(), a.toString());
        assertTrue(past.err().contains("already past"), past.toString());
        Tool.Result wrongRoot = tool.run("sign", "--key", dir.resolve("offline/release-1.key").toString(), "--keys", keys1.toString(),
                "--root-key", java.util.Base64.getEncoder().encodeToString(new byte[32]), "--seq", "50", "--expires", "P1D",
                "--out", dir.resolve("releases/50").toString(), "--passphrase-file", releasePass.toString(), a.toString());
        assertTrue(wrongRoot.err().contains("does not verify with the given root key"), wrongRoot.toString());
    }

    @Test
    void execute_runsACommandInThisJvm_thePassphraseFromTheGivenEnvironment_andReturnsItsExitCode() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        Map<String, String> env = Map.of("RELEASE_PASS", RELEASE_PASS);
        int exit = Main.execute(env, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "sign", "--key",
                dir.resolve("offline/release-1.key").toString(), "--keys", keys1.toString(), "--seq", "60", "--expires", "P1D",
                "--out", dir.resolve("releases/60").toString(), "--passphrase-env", "RELEASE_PASS",
                dir.resolve("jars/gw-pn-1.3.0.jar").toString());
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("release 60 '60' for cpns/gateway signed by " + releaseKid), out.toString());
        int refused = Main.execute(Map.of(), new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "sign", "--key",
                dir.resolve("offline/release-1.key").toString(), "--keys", keys1.toString(), "--seq", "61", "--expires", "P1D",
                "--out", dir.resolve("releases/61").toString(), "--passphrase-env", "RELEASE_PASS",
                dir.resolve("jars/gw-pn-1.3.0.jar").toString());
        assertEquals(Main.EXIT_ERROR, refused);
        assertTrue(err.toString().contains("environment variable RELEASE_PASS is not set"), err.toString());
    }

    @Test
    void nothingSecret_inWhatTheToolPrints() throws Exception {
        Path key = dir.resolve("offline/release-1.key");
        String rawHex = java.util.HexFormat.of().formatHex(KeyFiles.readPrivate(key, RELEASE_PASS.toCharArray()));
        String rawB64 = java.util.Base64.getEncoder().encodeToString(KeyFiles.readPrivate(key, RELEASE_PASS.toCharArray()));
        Tool.Result r = tool.run("inspect", release42.toString());
        for (Tool.Result x : List.of(r, tool.run("verify", release42.toString(), "--root-key", rootB64))) {
            assertFalse(x.out().contains(rawHex) || x.out().contains(rawB64) || x.out().contains(RELEASE_PASS), x.out());
        }
        assertTrue(Ed25519.keyId(KeyFiles.readPublic(dir.resolve("offline/release-1.key.pub"))).equals(releaseKid));
    }

    // --- helpers

    private static void assertRefused(String failure, String detail, Path release, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("verify", release.toString()));
        boolean overridden = false;
        for (int i = 0; i < options.length; i += 2) {
            if (options[i].equals("--root-key-override")) {
                args.addAll(List.of("--root-key", options[i + 1]));
                overridden = true;
            } else {
                args.addAll(List.of(options[i], options[i + 1]));
            }
        }
        if (!overridden) {
            args.addAll(List.of("--root-key", rootB64));
        }
        Tool.Result r = tool.run(args.toArray(String[]::new));
        assertEquals(Main.EXIT_REFUSED, r.exit(), r.toString());
        assertTrue(r.out().startsWith("REFUSED " + failure + ": ") && r.out().contains(detail), failure + "/" + detail + " in " + r);
    }

    private static Path copy(Path release, String name) throws Exception {
        Path to = dir.resolve("copies/" + name);
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(release)) {
            for (Path p : s.collect(Collectors.toList())) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
        return to;
    }

    static Tool.Result ok(Tool.Result r) {
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return m.group(1);
    }

    private static Path write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content + "\n");
        return p;
    }
}
