package io.cpns.launcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cpns <gateway|server> [--data DIR] [--config DIR]}: boots one CPNS runtime (a Felix
 * framework with the role's features) and runs until it stops; {@code --config} replaces
 * {@code etc/ROLE/config} (e.g. a second PN GW on the same host, with its own identity and ports).
 * {@code cpns.home} (set by the bin/ scripts) is the distribution directory. The demo and the load
 * harness are not here: they are the cpns-demo jar ({@code io.cpns.demo.Main}). Arguments parsed by
 * picocli (issue 14 §5): every subcommand answers {@code --help}; a wrong argument gets the usage and
 * exit status 2.
 */
@Command(name = "cpns", description = "A CPNS runtime: a PN GW or a CPNS Server.", mixinStandardHelpOptions = true,
        subcommands = {Main.Gateway.class, Main.Server.class})
public final class Main implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(run(new Main(), args));
    }

    /**
     * Runs a picocli command with this distribution's JVM settings (also the demo's, which boots
     * the same runtimes): the exit status, 1 for an exception, 2 for a wrong argument.
     */
    public static int run(Object command, String[] args) {
        // a restart (docs/updates.md §4.4), or the demo's several runtimes, start more than one framework
        // in this JVM: each loads jSerialComm's native library, which the JVM allows once per file
        System.setProperty("jSerialComm.library.randomizeNativeName", "true");
        return new CommandLine(command).setExecutionExceptionHandler((e, line, parsed) -> {
            System.err.println(line.getCommandName() + ": " + e);
            e.printStackTrace();
            return 1;
        }).execute(args);
    }

    /** No subcommand: the usage, exit status 2 as for any other wrong argument. */
    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    /** The distribution directory ({@code cpns.home}, set by the bin/ scripts). */
    public static Path home() {
        return Path.of(System.getProperty("cpns.home", ".")).toAbsolutePath().normalize();
    }

    /** {@code gateway} and {@code server}: one runtime of the role until it stops for good. */
    abstract static class Role implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR", description = "data directory (default data/<role>)")
        Path data;

        @Option(names = "--config", paramLabel = "DIR", description = "Config Admin files from DIR instead of etc/<role>/config")
        Path config;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
        boolean help;

        abstract String role();

        @Override
        public Integer call() throws Exception {
            Path home = home();
            Path dir = data != null ? data : home.resolve("data").resolve(role());
            Map<String, String> overrides = config == null ? Map.of()
                    : Map.of("felix.fileinstall.dir", config.toAbsolutePath() + "," + home.resolve("deploy").resolve(role()));
            return runUntilStopped(home, role(), dir.toAbsolutePath(), overrides);
        }
    }

    @Command(name = "gateway", description = "Runs a PN GW (etc/gateway/role.properties).")
    static final class Gateway extends Role {
        @Override
        String role() {
            return "gateway";
        }
    }

    @Command(name = "server", description = "Runs a CPNS Server (etc/server/role.properties).")
    static final class Server extends Role {
        @Override
        String role() {
            return "server";
        }
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
