package io.cpns.demo;

import io.cpns.demo.DemoSteps.Failure;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * The operator's release tool ({@code bin/cpns-release}) run in this JVM through its own picocli
 * entry: the same commands, checks and key files. Each key's passphrase is given the way an
 * unattended operator gives it, {@code --passphrase-env NAME}, from an environment of this
 * object's own; never an argument, never printed.
 */
final class ReleaseTool {
    record Result(int exit, String out, String err) {
    }

    private final Map<String, String> env;

    /** @param env passphrases by variable name */
    ReleaseTool(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Runs a command; one that does not exit 0 fails the step. */
    String ok(String... args) {
        Result r = run(args);
        if (r.exit() != 0) {
            throw new Failure("cpns-release " + args[0] + " exited " + r.exit() + ": " + r.err().trim());
        }
        return r.out();
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = io.cpns.release.tool.Main.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** The value after {@code label} on the line that holds it (e.g. "public key, base64:"). */
    static String field(String out, String label) {
        for (String line : out.split("\n")) {
            int i = line.indexOf(label);
            if (i >= 0) {
                return line.substring(i + label.length()).trim();
            }
        }
        throw new Failure("no '" + label + "' in: " + out);
    }
}
