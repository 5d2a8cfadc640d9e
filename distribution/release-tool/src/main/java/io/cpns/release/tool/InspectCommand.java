package io.cpns.release.tool;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.release.ReleaseCodec;
import io.cpns.release.ReleaseRefusedException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A release directory for people: the manifest, its bundles, the keys document. Checks nothing: that is {@code verify}. */
@Command(name = "inspect", header = "Prints a release directory readably.",
        description = "Prints the manifest, its bundles and the release keys. Signatures are not checked: use 'verify'.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "the release directory")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        ReleaseManifest m;
        try {
            m = ReleaseCodec.decodeManifest(ReleaseDir.read(dir, ReleaseDir.MANIFEST));
        } catch (ReleaseRefusedException e) {
            throw new ToolException(dir.resolve(ReleaseDir.MANIFEST) + ": " + e.getMessage());
        }
        o.printf("release %d '%s'%n", m.releaseSeq(), m.name());
        o.printf("  for       %s/%s%n", m.product(), m.role());
        o.printf("  expires   %s%n", When.format(m.expires()));
        o.printf("  signed by %s%n", m.keyId());
        o.printf("  restart   %s%n", m.needsRestart() ? "yes (a RESTART bundle: the gateway restarts its framework)" : "no (all HOT)");
        o.printf("  bundles   %d%n", m.bundles().size());
        int w = m.bundles().stream().mapToInt(b -> b.symbolicName().length()).max().orElse(0);
        for (BundleEntry b : m.bundles()) {
            o.printf("    %-" + w + "s  %-20s %-7s level %-3d %10d bytes  %s  %s%s%n", b.symbolicName(), b.version(),
                    b.updateClass(), b.startLevel(), b.size(), HexFormat.of().formatHex(b.sha256()), b.file(),
                    Files.isRegularFile(dir.resolve(b.file())) ? "" : "  (missing here)");
        }
        try {
            ReleaseKeys k = ReleaseCodec.decodeKeys(ReleaseDir.read(dir, ReleaseDir.KEYS));
            o.printf("release keys %d%n", k.keysSeq());
            for (ReleaseKey key : k.keys()) {
                o.printf("  %s  not after %s%s%n", key.keyId(), When.format(key.notAfter()),
                        key.keyId().equals(m.keyId()) ? "  (signed this release)" : "");
            }
            if (k.keys().stream().noneMatch(key -> key.keyId().equals(m.keyId()))) {
                o.printf("  the key that signed the manifest is not among them: gateways refuse it (UNKNOWN_KEY)%n");
            }
        } catch (ReleaseRefusedException e) {
            o.printf("release keys: %s%n", e.getMessage());
        }
        o.println("signatures not checked: use 'cpns-release verify DIR --root-key ...'");
        o.flush();
        return 0;
    }
}
