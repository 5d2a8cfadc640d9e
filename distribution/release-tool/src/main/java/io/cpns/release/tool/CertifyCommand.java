package io.cpns.release.tool;

import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.release.Ed25519;
import io.cpns.release.ReleaseCodec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The root signs a release keys document: every release key in force with its {@code notAfter}.
 * Rotation and revocation are a new document with a higher {@code --keys-seq}; a key it leaves out
 * is revoked on every gateway that sees it.
 */
@Command(name = "certify", sortOptions = false, header = "Signs the release keys in force with the root key.",
        description = "Writes OUT/keys.cbor and OUT/keys.sig. List every release key that stays valid: a key left out is "
            + "revoked on every gateway that sees this document. Each new document needs a higher --keys-seq.")
final class CertifyCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--root-key", required = true, paramLabel = "FILE", description = "the root's encrypted private key")
    Path rootKey;

    @Option(names = "--keys-seq", required = true, paramLabel = "N", description = "sequence of this document, above the last one's")
    long keysSeq;

    @Option(names = "--key", required = true, paramLabel = "PUB=NOT_AFTER",
            description = {"a release key in force: its public key (a .pub file or the base64 raw key) and when it ends",
                "(2027-12-31T12:00:00Z, 2027-12-31 or P365D); repeat for each key"})
    List<String> keys = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for keys.cbor and keys.sig")
    Path out;

    @Mixin
    Passphrase passphrase;

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        List<ReleaseKey> list = new ArrayList<>();
        for (String k : keys) {
            int eq = k.lastIndexOf('='); // the base64 key may end in '=' padding; NOT_AFTER never holds one
            if (eq <= 0 || eq == k.length() - 1) {
                throw new ToolException("--key " + k + ": give PUB=NOT_AFTER");
            }
            byte[] pub = publicKey(k.substring(0, eq));
            long notAfter = When.parse(k.substring(eq + 1), now);
            if (notAfter <= now.getEpochSecond()) {
                throw new ToolException("key " + Ed25519.keyId(pub) + ": " + When.format(notAfter) + " is already past");
            }
            list.add(new ReleaseKey(Ed25519.keyId(pub), pub, notAfter));
        }
        ReleaseKeys doc = new ReleaseKeys(ReleaseKeys.FORMAT, keysSeq, list);
        byte[] encoded;
        try {
            encoded = ReleaseCodec.encode(doc);
        } catch (IllegalArgumentException x) {
            throw new ToolException("cannot certify: " + x.getMessage());
        }
        char[] pass = passphrase.read(main, "the root key " + rootKey.getFileName());
        byte[] priv = null;
        byte[] sig;
        byte[] rootPublic;
        try {
            priv = KeyFiles.readPrivate(rootKey, pass);
            rootPublic = KeyFiles.publicKey(priv);
            sig = Ed25519.sign(priv, encoded);
        } finally {
            Passphrase.wipe(pass);
            if (priv != null) {
                Arrays.fill(priv, (byte) 0);
            }
        }
        if (!Ed25519.verify(rootPublic, encoded, sig)) {
            throw new ToolException("the signature just made does not verify: nothing written");
        }
        SecureFiles.createNew(out.resolve(ReleaseDir.KEYS), encoded);
        SecureFiles.createNew(out.resolve(ReleaseDir.KEYS_SIG), sig);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("release keys %d signed by root key %s: %s, %s%n", keysSeq, Ed25519.keyId(rootPublic),
                out.resolve(ReleaseDir.KEYS), out.resolve(ReleaseDir.KEYS_SIG));
        for (ReleaseKey k : list) {
            o.printf("  %s  not after %s%n", k.keyId(), When.format(k.notAfter()));
        }
        if (list.isEmpty()) {
            o.println("  no key: every release key is revoked");
        }
        o.flush();
        return 0;
    }

    static byte[] publicKey(String spec) throws ToolException {
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) {
            return KeyFiles.readPublic(p);
        }
        try {
            byte[] raw = Base64.getDecoder().decode(spec);
            if (raw.length == Ed25519.KEY_LENGTH) {
                return raw;
            }
        } catch (IllegalArgumentException notBase64) {
            // below
        }
        throw new ToolException("'" + spec + "' is neither a public key file nor a base64 Ed25519 public key");
    }
}
