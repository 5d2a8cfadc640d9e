package io.cpns.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The external commands some tests drive (socat, script(1), openssl, SoftHSM2, Mosquitto): whether
 * one is installed, and otherwise the reason a test prints when it skips, naming the Debian package
 * to install ({@code .ci/run} installs them all). One place, so every test looks the same way.
 */
public final class Commands {
    /** The Debian package of each command the tests use. */
    private static final Map<String, String> DEBIAN = Map.of(
            "socat", "socat",
            "script", "bsdutils",
            "openssl", "openssl",
            "softhsm2-util", "softhsm2",
            "mosquitto", "mosquitto",
            "mosquitto_ctrl", "mosquitto-clients");

    private Commands() {
    }

    /** Where {@code command} is: on the PATH, or in the usual bin and sbin directories (Mosquitto is in /usr/sbin, often not on a user's PATH). */
    public static Optional<Path> find(String command) {
        Set<String> dirs = new LinkedHashSet<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                dirs.add(d);
            }
        }
        dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"));
        return dirs.stream().map(d -> Path.of(d, command)).filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    public static boolean installed(String command) {
        return find(command).isPresent();
    }

    /** The Debian package that provides {@code command}. */
    public static String debianPackage(String command) {
        String p = DEBIAN.get(command);
        if (p == null) {
            throw new IllegalArgumentException("no Debian package known for " + command + ": add it to Commands");
        }
        return p;
    }

    /**
     * Why a test needing these commands cannot run here ("socat is not installed (apt-get install
     * socat)"), or empty if all are installed.
     */
    public static Optional<String> missing(String... commands) {
        List<String> absent = new ArrayList<>();
        for (String c : commands) {
            debianPackage(c); // a command without a known package is the test's mistake, installed or not
            if (!installed(c)) {
                absent.add(c);
            }
        }
        return absent.isEmpty() ? Optional.empty() : Optional.of(reason(absent));
    }

    static String reason(List<String> absent) {
        Set<String> packages = new LinkedHashSet<>();
        absent.forEach(c -> packages.add(debianPackage(c)));
        return String.join(", ", absent) + (absent.size() == 1 ? " is" : " are") + " not installed (apt-get install "
                + String.join(" ", packages) + ")";
    }
}
