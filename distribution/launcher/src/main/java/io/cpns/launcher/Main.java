package io.cpns.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cpns <gateway|server> [--data DIR]}: boots one CPNS runtime (a Felix framework with the
 * role's features) and runs until it stops; {@code cpns demo} runs the demo, {@code cpns load}
 * the load harness. {@code cpns.home} (set by the
 * bin/ scripts) is the distribution directory.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || !Set.of("gateway", "server", "demo", "load").contains(args[0])) {
            System.err.println("usage: cpns <gateway|server> [--data DIR] | cpns demo | cpns load [--rekey [--mosquitto]] [PNES ...]");
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
        Path data = args.length >= 3 && args[1].equals("--data") ? Path.of(args[2]) : home.resolve("data").resolve(role);
        int code;
        try {
            code = switch (role) {
                case "demo" -> new Demo(home).run();
                case "load" -> new Load(home, sizes(args), List.of(args).contains("--rekey"), List.of(args).contains("--mosquitto")).run();
                default -> runUntilStopped(home, role, data.toAbsolutePath());
            };
        } catch (Exception e) {
            System.err.println("cpns " + role + ": " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private static List<Integer> sizes(String[] args) {
        List<Integer> sizes = Arrays.stream(args).skip(1).filter(a -> !a.startsWith("--")).map(Integer::parseInt).toList();
        return sizes.isEmpty() ? List.of(200, 1000) : sizes;
    }

    private static int runUntilStopped(Path home, String role, Path data) throws Exception {
        Files.createDirectories(data);
        CpnsRuntime rt = CpnsRuntime.start(home, role, data, Map.of(), Set.of());
        Runtime.getRuntime().addShutdownHook(new Thread(rt::stop, "cpns-shutdown"));
        rt.awaitStop();
        return 0;
    }
}
