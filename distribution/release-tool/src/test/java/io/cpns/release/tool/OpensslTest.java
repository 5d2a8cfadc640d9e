package io.cpns.release.tool;

import static io.cpns.release.tool.ToolTest.group;
import static io.cpns.release.tool.ToolTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.testkit.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool's files in OpenSSL (Debian package {@code openssl}; skipped with a reason when it is
 * missing): its encrypted key opens with the passphrase and is PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC,
 * its signatures verify with {@code pkeyutl -verify -rawin}, and a key OpenSSL made signs with the tool.
 */
class OpensslTest {
    static final String PASS = "an openssl interop passphrase";

    @TempDir
    static Path dir;
    static Tool tool = new Tool();
    static Path pass;

    @BeforeAll
    static void openssl() throws Exception {
        String missing = Commands.missing("openssl").orElse(null);
        if (missing != null) {
            System.out.println("OpensslTest skipped: " + missing);
        }
        Assumptions.assumeTrue(missing == null, missing);
        pass = dir.resolve("pass");
        Files.writeString(pass, PASS + "\n");
    }

    private static Processes.Run openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        return Processes.run(dir, Map.of(), cmd);
    }

    @Test
    void theEncryptedKey_opensInOpenssl_withThePassphraseOnly() throws Exception {
        ok(tool.run("keygen", "--root", "--out", dir.resolve("root.key").toString(), "--passphrase-file", pass.toString()));
        Processes.Run pub = openssl("pkey", "-in", "root.key", "-passin", "file:" + pass, "-pubout");
        assertEquals(0, pub.exit(), pub.toString());
        assertEquals(Files.readString(dir.resolve("root.key.pub")), pub.out());
        Processes.Run asn1 = openssl("asn1parse", "-in", "root.key");
        assertTrue(asn1.out().contains("PBES2") && asn1.out().contains("PBKDF2") && asn1.out().contains("hmacWithSHA256")
                && asn1.out().contains("aes-256-cbc"), asn1.out());
        assertTrue(asn1.out().contains("INTEGER           :0927C0"), "600000 iterations: " + asn1.out());
        Files.writeString(dir.resolve("wrong"), "not the passphrase\n");
        assertNotEquals(0, openssl("pkey", "-in", "root.key", "-passin", "file:" + dir.resolve("wrong"), "-pubout").exit());
    }

    @Test
    void signaturesOfTheTool_verifyInOpenssl() throws Exception {
        ok(tool.run("keygen", "--root", "--out", dir.resolve("r/root.key").toString(), "--passphrase-file", pass.toString()));
        ok(tool.run("keygen", "--release", "--out", dir.resolve("r/rel.key").toString(), "--passphrase-file", pass.toString()));
        ok(tool.run("certify", "--root-key", dir.resolve("r/root.key").toString(), "--keys-seq", "1", "--key",
                dir.resolve("r/rel.key.pub") + "=P10D", "--out", dir.resolve("r/keys").toString(), "--passphrase-file", pass.toString()));
        Path jar = Tool.bundle(dir.resolve("r/jars"), "gw-pn.jar", "gw-pn", "2.0.0");
        ok(tool.run("sign", "--key", dir.resolve("r/rel.key").toString(), "--keys", dir.resolve("r/keys").toString(), "--seq", "1",
                "--expires", "P5D", "--out", dir.resolve("r/rel").toString(), "--passphrase-file", pass.toString(), jar.toString()));

        Processes.Run m = openssl("pkeyutl", "-verify", "-pubin", "-inkey", "r/rel.key.pub", "-rawin", "-in", "r/rel/manifest.cbor",
                "-sigfile", "r/rel/manifest.sig");
        assertEquals(0, m.exit(), m.toString());
        assertTrue(m.out().contains("Signature Verified Successfully"), m.toString());
        Processes.Run k = openssl("pkeyutl", "-verify", "-pubin", "-inkey", "r/root.key.pub", "-rawin", "-in", "r/rel/keys.cbor",
                "-sigfile", "r/rel/keys.sig");
        assertEquals(0, k.exit(), k.toString());
        // the manifest is not signed by the root: OpenSSL says so too
        assertNotEquals(0, openssl("pkeyutl", "-verify", "-pubin", "-inkey", "r/root.key.pub", "-rawin", "-in", "r/rel/manifest.cbor",
                "-sigfile", "r/rel/manifest.sig").exit());
    }

    @Test
    void aKeyOpensslMade_isUsedByTheTool() throws Exception {
        assertEquals(0, openssl("genpkey", "-algorithm", "ed25519", "-out", "plain.pem").exit());
        Processes.Run enc = openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain.pem", "-out", "ossl.key",
                "-passout", "file:" + pass);
        assertEquals(0, enc.exit(), enc.toString());
        assertEquals(0, openssl("pkey", "-in", "plain.pem", "-pubout", "-out", "ossl.key.pub").exit());
        Tool.Result plain = tool.run("certify", "--root-key", dir.resolve("plain.pem").toString(), "--keys-seq", "1", "--key",
                dir.resolve("ossl.key.pub") + "=P1D", "--out", dir.resolve("o/plain").toString(), "--passphrase-file", pass.toString());
        assertTrue(plain.err().contains("unencrypted private key"), plain.toString());
        Tool.Result c = ok(tool.run("certify", "--root-key", dir.resolve("ossl.key").toString(), "--keys-seq", "1", "--key",
                dir.resolve("ossl.key.pub") + "=P1D", "--out", dir.resolve("o/keys").toString(), "--passphrase-file", pass.toString()));
        String kid = group(c.out(), "signed by root key ([0-9a-f]{32})");
        assertEquals(kid, io.cpns.release.Ed25519.keyId(KeyFiles.readPublic(dir.resolve("ossl.key.pub"))));
        assertEquals(0, openssl("pkeyutl", "-verify", "-pubin", "-inkey", "ossl.key.pub", "-rawin", "-in", "o/keys/keys.cbor",
                "-sigfile", "o/keys/keys.sig").exit());
    }
}
