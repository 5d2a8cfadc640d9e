package io.cpns.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cpns <gateway|server> [--data DIR] [--config DIR]}: boots one CPNS runtime (a Felix
 * framework with the role's features) and runs until it stops; {@code --config} replaces
 * {@code etc/ROLE/config} (e.g. a second PN GW on the same host, with its own identity and ports); {@code cpns demo} runs the demo, {@code cpns load}
 * the load harness. {@code cpns.home} (set by the
 * bin/ scripts) is the distribution directory.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || !Set.of("gateway", "server", "demo", "load").contains(args[0])) {
            System.err.println("usage: cpns <gateway|server> [--data DIR] [--config DIR] | cpns demo | cpns load [--rekey [--mosquitto]] [PNES ...] | cpns load --update [--trial S] [--pace MS] [PNES]");
            System.exit(2);
        }
        String role = args[0];
        // HikariCP logs through slf4j-simple (server role): only warnings, our log console has the rest
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // the demo runs several frameworks (and PNEs) in one JVM: each loads jSerialComm's native
        // library, which the JVM allows once per file, so each gets its own copy
        System.setProperty("jSerialComm.library.randomizeNativeName", "true");
        Path home = Path.of(System.getProperty("cpns.home", ".")).toAbsolutePath().normalize();
        Path data = option(args, "--data").map(Path::of).orElse(home.resolve("data").resolve(role));
        Map<String, String> overrides = option(args, "--config")
                .map(c -> Map.of("felix.fileinstall.dir", Path.of(c).toAbsolutePath() + "," + home.resolve("deploy").resolve(role)))
                .orElse(Map.of());
        int code;
        try {
            code = switch (role) {
                case "demo" -> new Demo(home).run();
                case "load" -> List.of(args).contains("--update")
                        ? new UpdateLoad(home, sizes(args, List.of(10)).get(0), Integer.parseInt(option(args, "--trial").orElse("5")),
                                java.time.Duration.ofMillis(Long.parseLong(option(args, "--pace").orElse("10")))).run()
                        : new Load(home, sizes(args, List.of(200, 1000)), List.of(args).contains("--rekey"), List.of(args).contains("--mosquitto")).run();
                default -> runUntilStopped(home, role, data.toAbsolutePath(), overrides);
            };
        } catch (Exception e) {
            System.err.println("cpns " + role + ": " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    /** The plain numbers among the arguments (not an option nor an option's value). */
    private static List<Integer> sizes(String[] args, List<Integer> otherwise) {
        List<Integer> sizes = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (Set.of("--data", "--config", "--trial", "--pace").contains(args[i])) {
                i++;
            } else if (!args[i].startsWith("--")) {
                sizes.add(Integer.parseInt(args[i]));
            }
        }
        return sizes.isEmpty() ? otherwise : sizes;
    }

    private static java.util.Optional<String> option(String[] args, String name) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return java.util.Optional.of(args[i + 1]);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Runs the role until it stops for good. When the update agent stops the framework to apply an
     * update by a restart (or to roll one back), a fresh framework is started in this JVM with the
     * set the boot guard chooses (docs/updates.md §4.4); a signal (SIGTERM) stops for good.
     */
    private static int runUntilStopped(Path home, String role, Path data, Map<String, String> overrides) throws Exception {
        OwnerOnly.createDirectories(data);
        Map<String, String> props = new java.util.HashMap<>(overrides);
        props.put(CpnsRuntime.RESTARTABLE, "true");
        java.util.concurrent.atomic.AtomicReference<CpnsRuntime> current = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            CpnsRuntime rt = current.get();
            if (rt != null) {
                rt.stop();
            }
        }, "cpns-shutdown"));
        while (true) {
            CpnsRuntime rt = CpnsRuntime.start(home, role, data, props, Set.of());
            current.set(rt);
            rt.awaitStop();
            if (stopping.get() || !CpnsRuntime.restartRequested(data)) {
                return 0;
            }
            System.out.println("update: restarting the " + role + " framework into the set of the update (docs/updates.md §4.4)");
        }
    }
}
