package io.cpns.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cpns demo} ({@code bin/cpns-demo}) runs the demo, {@code cpns load} ({@code bin/cpns-load})
 * the load harness: a CPNS Server and a PN GW booted by the launcher's {@code CpnsRuntime} in this
 * JVM, with PNEs of the PNE SDK. Not part of the production launcher: this jar sits beside it in
 * {@code lib/}. {@code cpns.home} (set by the bin/ scripts) is the distribution directory. Arguments
 * parsed by picocli as the launcher's: {@code --help}, a wrong argument gets the usage and exit status 2.
 */
@Command(name = "cpns", description = "The demo or the load harness.", mixinStandardHelpOptions = true,
        subcommands = {Main.DemoCommand.class, Main.LoadCommand.class})
public final class Main implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(io.cpns.launcher.Main.run(new Main(), args));
    }

    /** No subcommand: the usage, exit status 2 as for any other wrong argument. */
    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    static Path home() {
        return io.cpns.launcher.Main.home();
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "A CPNS Server and a PN GW in this JVM walk a full lifecycle; exit 0 only if every step was verified.")
    static final class DemoCommand implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return new Demo(home()).run();
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Load harness: PN Establishment with simulated PNEs; --rekey a Service Group rekey over MQTT; "
                    + "--update a signed release rolled out with PNEs sending (docs/benchmarks.md).")
    static final class LoadCommand implements Callable<Integer> {
        @Option(names = "--rekey", description = "a Service Group rekey over MQTT")
        boolean rekey;

        @Option(names = "--mosquitto", description = "with --rekey: through a local Mosquitto")
        boolean mosquitto;

        @Option(names = "--update", description = "a hot and a restart-class release of gw-pn rolled out")
        boolean update;

        @Option(names = "--trial", paramLabel = "S", defaultValue = "5", description = "with --update: trial seconds (default ${DEFAULT-VALUE})")
        int trial;

        @Option(names = "--pace", paramLabel = "MS", defaultValue = "10",
                description = "with --update: ms between a PNE's messages (default ${DEFAULT-VALUE})")
        long pace;

        @Parameters(paramLabel = "PNES", description = "numbers of PNEs (default 200 1000; with --update 10)")
        List<Integer> pnes;

        @Override
        public Integer call() throws Exception {
            if (update) {
                return new UpdateLoad(home(), pnes == null ? 10 : pnes.get(0), trial, Duration.ofMillis(pace)).run();
            }
            return new Load(home(), pnes == null ? List.of(200, 1000) : pnes, rekey, mosquitto).run();
        }
    }
}
