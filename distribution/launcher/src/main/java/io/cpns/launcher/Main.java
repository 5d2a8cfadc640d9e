package io.cpns.launcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code cpns <gateway|server> [--data DIR] [--config DIR]}: boots one CPNS runtime (a Felix
 * framework with the role's features) and runs until it stops; {@code --config} replaces
 * {@code etc/ROLE/config} (e.g. a second PN GW on the same host, with its own identity and ports).
 * {@code cpns.home} (set by the bin/ scripts) is the distribution directory. The demo and the load
 * harness are not here: they are the cpns-demo jar ({@code io.cpns.demo.Main}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || !Set.of("gateway", "server").contains(args[0])) {
            System.err.println("usage: cpns <gateway|server> [--data DIR] [--config DIR]");
            System.exit(2);
        }
        String role = args[0];
        // HikariCP logs through slf4j-simple (server role): only warnings, our log console has the rest
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // a restart (docs/updates.md §4.4) starts a fresh framework in this JVM: each loads
        // jSerialComm's native library, which the JVM allows once per file, so each gets its own copy
        System.setProperty("jSerialComm.library.randomizeNativeName", "true");
        Path home = Path.of(System.getProperty("cpns.home", ".")).toAbsolutePath().normalize();
        Path data = option(args, "--data").map(Path::of).orElse(home.resolve("data").resolve(role));
        Map<String, String> overrides = option(args, "--config")
                .map(c -> Map.of("felix.fileinstall.dir", Path.of(c).toAbsolutePath() + "," + home.resolve("deploy").resolve(role)))
                .orElse(Map.of());
        int code;
        try {
            code = runUntilStopped(home, role, data.toAbsolutePath(), overrides);
        } catch (Exception e) {
            System.err.println("cpns " + role + ": " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
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
