package io.cpns.release.tool;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/cpns-release}: the operator's release keys and releases, offline (docs/updates.md §2,
 * docs/operator-guide.md §9). Exit codes: 0 done, 1 refused ({@code verify}: the failure is
 * printed), 2 wrong usage, 3 any other failure (a file, a passphrase, input that cannot be signed).
 */
@Command(name = "cpns-release", sortOptions = false,
        subcommands = {KeygenCommand.class, CertifyCommand.class, SignCommand.class, VerifyCommand.class, InspectCommand.class},
        description = "Release keys and signed releases of CPNS gateways (docs/updates.md §2, docs/operator-guide.md §9). "
            + "Private keys stay on this machine, encrypted; passphrases are read from the console, a file or the "
            + "environment, never from arguments. 'cpns-release COMMAND --help' tells more.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:release refused (verify)", "2:wrong usage", "3:failed (file, passphrase, input)"})
public final class Main implements Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    static final int EXIT_REFUSED = 1;
    static final int EXIT_ERROR = 3;

    /** Where passphrases come from when no file or variable is named (tests give their own). */
    interface Terminal {
        /** The line typed, without echo; null if there is no console. */
        char[] readPassword(String prompt);
    }

    Map<String, String> env = System.getenv();
    Terminal terminal = prompt -> {
        Console c = System.console();
        return c == null ? null : c.readPassword("%s", prompt);
    };

    public static void main(String[] args) {
        System.exit(commandLine(new Main()).execute(args));
    }

    /**
     * Runs one command in this JVM as {@code bin/cpns-release} would, without exiting: for a program
     * that signs with the tool's own code paths (the demo). Passphrases come from {@code env}
     * ({@code --passphrase-env NAME}) or a file, never from {@code args}; there is no console.
     *
     * @return the exit code
     */
    public static int execute(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        Main main = new Main();
        main.env = env;
        main.terminal = prompt -> null;
        CommandLine cl = commandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /** The command line with the tool's error handling: one line, no stack trace, exit 3. */
    static CommandLine commandLine(Main main) {
        CommandLine cl = new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            String message = e instanceof ToolException ? e.getMessage() : "unexpected " + e;
            err.println("cpns-release: " + message);
            err.flush();
            return EXIT_ERROR;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: keygen, certify, sign, verify, inspect");
    }
}
