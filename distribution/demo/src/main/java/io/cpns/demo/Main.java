package io.cpns.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code cpns demo} ({@code bin/cpns-demo}) runs the demo, {@code cpns load} ({@code bin/cpns-load})
 * the load harness: a CPNS Server and a PN GW booted by the launcher's {@code CpnsRuntime} in this
 * JVM, with PNEs of the PNE SDK. Not part of the production launcher: this jar sits beside it in
 * {@code lib/}. {@code cpns.home} (set by the bin/ scripts) is the distribution directory.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || !Set.of("demo", "load").contains(args[0])) {
            System.err.println("usage: cpns demo | cpns load [--rekey [--mosquitto]] [PNES ...] | cpns load --update [--trial S] [--pace MS] [PNES]");
            System.exit(2);
        }
        // HikariCP logs through slf4j-simple (server role): only warnings, our log console has the rest
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // several frameworks (and PNEs) in one JVM: each loads jSerialComm's native library, which
        // the JVM allows once per file, so each gets its own copy
        System.setProperty("jSerialComm.library.randomizeNativeName", "true");
        Path home = Path.of(System.getProperty("cpns.home", ".")).toAbsolutePath().normalize();
        int code;
        try {
            code = args[0].equals("demo") ? new Demo(home).run()
                    : List.of(args).contains("--update")
                            ? new UpdateLoad(home, sizes(args, List.of(10)).get(0), Integer.parseInt(option(args, "--trial").orElse("5")),
                                    Duration.ofMillis(Long.parseLong(option(args, "--pace").orElse("10")))).run()
                            : new Load(home, sizes(args, List.of(200, 1000)), List.of(args).contains("--rekey"), List.of(args).contains("--mosquitto")).run();
        } catch (Exception e) {
            System.err.println("cpns " + args[0] + ": " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    /** The plain numbers among the arguments (not an option nor an option's value). */
    private static List<Integer> sizes(String[] args, List<Integer> otherwise) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (Set.of("--data", "--config", "--trial", "--pace").contains(args[i])) {
                i++;
            } else if (!args[i].startsWith("--")) {
                sizes.add(Integer.parseInt(args[i]));
            }
        }
        return sizes.isEmpty() ? otherwise : sizes;
    }

    private static Optional<String> option(String[] args, String name) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Optional.of(args[i + 1]);
            }
        }
        return Optional.empty();
    }
}
