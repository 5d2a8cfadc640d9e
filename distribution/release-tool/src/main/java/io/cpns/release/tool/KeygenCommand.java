package io.cpns.release.tool;

import io.cpns.release.Ed25519;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A new Ed25519 key pair: the private key encrypted under a passphrase, the public key beside it. */
@Command(name = "keygen", sortOptions = false, header = "Generates a root key or a release key (Ed25519).",
        description = "Writes OUT (the private key, encrypted PKCS#8 PEM, owner-only) and OUT.pub (the public key, PEM). "
            + "Prints its key id and its raw public key in base64: for a root key, the value to pin in "
            + "cpns.update.rootKeys (etc/gateway/role.properties); a release key is then certified with 'certify'.")
final class KeygenCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    static final class Kind {
        @Option(names = "--root", required = true, description = "the operator's root key (certifies release keys; keep it offline)")
        boolean root;

        @Option(names = "--release", required = true, description = "a release key (signs releases)")
        boolean release;
    }

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "private key file to create (FILE.pub is created too)")
    Path out;

    @Mixin
    Passphrase passphrase;

    @Override
    public Integer call() throws Exception {
        Path pub = out.resolveSibling(out.getFileName() + ".pub");
        if (Files.exists(out) || Files.exists(pub)) {
            throw new ToolException((Files.exists(out) ? out : pub) + " exists: not overwritten");
        }
        String what = kind.root ? "root key" : "release key";
        char[] pass = passphrase.create(main, "the " + what + " " + out.getFileName());
        byte[] priv = KeyFiles.generate();
        byte[] pem = null;
        try {
            byte[] publicKey = KeyFiles.publicKey(priv);
            pem = KeyFiles.encryptedPem(priv, pass);
            SecureFiles.createNew(out, pem);
            SecureFiles.createNew(pub, KeyFiles.publicPem(publicKey));
            PrintWriter o = spec.commandLine().getOut();
            o.printf("%s %s%n", what, Ed25519.keyId(publicKey));
            o.printf("  private key (encrypted): %s%n", out);
            o.printf("  public key:              %s%n", pub);
            o.printf("  public key, base64:      %s%n", Base64.getEncoder().encodeToString(publicKey));
            if (kind.root) {
                o.printf("Pin it on every gateway: cpns.update.rootKeys=%s in etc/gateway/role.properties%n",
                        Base64.getEncoder().encodeToString(publicKey));
            } else {
                o.printf("Certify it with the root key: cpns-release certify --root-key ROOT --key %s=NOT_AFTER ...%n", pub);
            }
            o.flush();
            return 0;
        } finally {
            Arrays.fill(priv, (byte) 0);
            if (pem != null) {
                Arrays.fill(pem, (byte) 0);
            }
            Passphrase.wipe(pass);
        }
    }
}
