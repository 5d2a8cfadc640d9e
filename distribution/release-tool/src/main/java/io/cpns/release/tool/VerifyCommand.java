package io.cpns.release.tool;

import io.cpns.api.update.BundleEntry;
import io.cpns.release.BundleCheck;
import io.cpns.release.ReleasePolicy;
import io.cpns.release.ReleaseRefusedException;
import io.cpns.release.ReleaseVerifier;
import io.cpns.release.VerifiedRelease;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What a gateway would decide about a release directory: every check of docs/updates.md §2.4, then each jar (§2.5). */
@Command(name = "verify", sortOptions = false, header = "Checks a release directory as a gateway does.",
        description = "Makes every check of docs/updates.md §2.4 and §2.5: prints OK, or REFUSED with the failure "
            + "(MALFORMED, BAD_SIGNATURE, REPLAYED, UNKNOWN_KEY, EXPIRED, INCOMPATIBLE, SIZE_MISMATCH, HASH_MISMATCH, "
            + "WRONG_BUNDLE, ...) and exits 1.")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "the release directory")
    Path dir;

    @Option(names = "--root-key", required = true, paramLabel = "BASE64[,BASE64]|FILE",
            description = "the pinned root key(s), exactly as in cpns.update.rootKeys, or the root's .pub file")
    String rootKeys;

    @Option(names = "--committed-seq", defaultValue = "0", paramLabel = "N",
            description = "as a gateway that committed release N (default ${DEFAULT-VALUE})")
    long committedSeq;

    @Option(names = "--keys-seq", defaultValue = "0", paramLabel = "N",
            description = "as a gateway that holds release keys N (default ${DEFAULT-VALUE})")
    long heldKeysSeq;

    @Option(names = "--product", defaultValue = "cpns", description = "the gateway's product (default ${DEFAULT-VALUE})")
    String product;

    @Option(names = "--role", defaultValue = "gateway", description = "the gateway's role (default ${DEFAULT-VALUE})")
    String role;

    @Option(names = "--at", paramLabel = "WHEN", description = "check at this time instead of now (2027-01-15T00:00:00Z)")
    String at;

    @Override
    public Integer call() throws Exception {
        Instant now = at == null ? Instant.now() : Instant.ofEpochSecond(When.parse(at, Instant.now()));
        ReleaseVerifier verifier = new ReleaseVerifier(SignCommand.roots(rootKeys));
        PrintWriter o = spec.commandLine().getOut();
        try {
            VerifiedRelease r = verifier.verify(ReleaseDir.read(dir, ReleaseDir.MANIFEST), ReleaseDir.read(dir, ReleaseDir.MANIFEST_SIG),
                    ReleaseDir.read(dir, ReleaseDir.KEYS), ReleaseDir.read(dir, ReleaseDir.KEYS_SIG),
                    new ReleasePolicy(now, committedSeq, heldKeysSeq, product, role));
            for (BundleEntry b : r.manifest().bundles()) {
                BundleCheck.verify(b, dir.resolve(b.file()));
            }
            o.printf("OK release %d '%s' for %s/%s, signed by %s (release keys %d), %d bundles verified, expires %s%n",
                    r.manifest().releaseSeq(), r.manifest().name(), r.manifest().product(), r.manifest().role(),
                    r.signer().keyId(), r.keys().keysSeq(), r.manifest().bundles().size(), When.format(r.manifest().expires()));
            o.flush();
            return 0;
        } catch (ReleaseRefusedException e) {
            o.printf("REFUSED %s: %s%n", e.failure(), e.detail());
            o.flush();
            return Main.EXIT_REFUSED;
        }
    }
}
