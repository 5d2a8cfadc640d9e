package io.cpns.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private SoftHSM2 token for tests (Debian package {@code softhsm2}; {@code .ci/run} installs it):
 * the token directory is this JVM's own, never the system's. SoftHSM2 reads its configuration file
 * from the environment variable {@code SOFTHSM2_CONF} once, when the JVM first loads the library,
 * so the build sets that variable (surefire/failsafe {@code environmentVariables}) and this class
 * writes the file it names, with a fresh token directory next to it, then creates one token per
 * JVM. The PINs are random and used only here; {@code softhsm2-util} takes them as arguments (it
 * reads a PIN only from a terminal), which is why this is for throwaway test tokens only.
 */
public final class SoftHsm {
    /** Where Debian's softhsm2 puts the PKCS#11 library. */
    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static Token token;

    /** The token: its PKCS#11 slot ID and a file holding its user PIN (owner-only). */
    public record Token(long slot, Path pinFile, String label) {
    }

    private SoftHsm() {
    }

    /** Why SoftHSM2 cannot be used here, or empty if it can. */
    public static Optional<String> missing() {
        if (!Files.isReadable(LIBRARY)) {
            return Optional.of("no " + LIBRARY + " (apt-get install softhsm2)");
        }
        Optional<String> util = Commands.missing("softhsm2-util");
        if (util.isPresent()) {
            return util;
        }
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank()) {
            return Optional.of("SOFTHSM2_CONF not set (the build sets it for the test JVM)");
        }
        return Optional.empty();
    }

    /** This JVM's token, created on first use. */
    public static synchronized Token token() throws IOException, InterruptedException {
        if (token != null) {
            return token;
        }
        String why = missing().orElse(null);
        if (why != null) {
            throw new IllegalStateException(why);
        }
        Path conf = Path.of(System.getenv("SOFTHSM2_CONF")).toAbsolutePath();
        Path dir = conf.getParent();
        Path tokens = dir.resolve("tokens-" + ProcessHandle.current().pid());
        Files.createDirectories(tokens);
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        String label = "cpns-test-" + ProcessHandle.current().pid();
        String pin = random();
        String out = run(util().toString(), "--init-token", "--free", "--label", label, "--so-pin", random(), "--pin", pin);
        Matcher m = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
        if (!m.find()) {
            throw new IOException("softhsm2-util did not say the slot: " + out);
        }
        Path pinFile = dir.resolve("pin-" + ProcessHandle.current().pid());
        Files.deleteIfExists(pinFile);
        Files.createFile(pinFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pinFile, pin + "\n");
        token = new Token(Long.parseLong(m.group(1)), pinFile, label);
        return token;
    }

    private static String random() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Path util() {
        return Commands.find("softhsm2-util").orElse(null);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd[0] + " did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(cmd[0] + " " + cmd[1] + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }
}
