package io.cpns.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** bin/cpns-demo's and bin/cpns-load's arguments as picocli parses them: the documented forms, --help, a wrong argument refused. */
class MainArgumentsTest {
    private static CommandLine.ParseResult parse(String... args) {
        return new CommandLine(new Main()).parseArgs(args);
    }

    @Test
    void loadForms() {
        Main.LoadCommand load = (Main.LoadCommand) parse("load", "--update", "--trial", "2", "3").subcommand().commandSpec().userObject();
        assertTrue(load.update);
        assertEquals(2, load.trial);
        assertEquals(java.util.List.of(3), load.pnes);
        Main.LoadCommand rekey = (Main.LoadCommand) parse("load", "--rekey", "--mosquitto", "1000").subcommand().commandSpec().userObject();
        assertTrue(rekey.rekey && rekey.mosquitto);
        assertEquals(java.util.List.of(1000), rekey.pnes);
        assertEquals(10, rekey.pace);
    }

    @Test
    void helpAndAWrongArgument() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        assertEquals(0, cli.execute("load", "--help"));
        assertTrue(out.toString().contains("--trial=S"), out.toString());
        assertEquals(2, cli.execute("demo", "--no-such-option"));
        assertTrue(err.toString().contains("Unknown option: '--no-such-option'"), err.toString());
    }
}
