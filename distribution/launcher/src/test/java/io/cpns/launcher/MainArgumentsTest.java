package io.cpns.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher's arguments as picocli parses them (issue 14 §5): the scripts' forms, --help, and a wrong argument refused. */
class MainArgumentsTest {
    private static CommandLine.ParseResult parse(String... args) {
        return new CommandLine(new Main()).parseArgs(args);
    }

    @Test
    void roleWithDataAndConfig() {
        Main.Role gateway = (Main.Role) parse("gateway", "--data", "/tmp/d", "--config", "/tmp/c").subcommand().commandSpec().userObject();
        assertEquals(Path.of("/tmp/d"), gateway.data);
        assertEquals(Path.of("/tmp/c"), gateway.config);
        assertEquals("gateway", gateway.role());
    }

    @Test
    void helpAndAWrongArgument() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        assertEquals(0, cli.execute("server", "--help"));
        assertTrue(out.toString().contains("--config=DIR"), out.toString());
        assertEquals(2, cli.execute("server", "--no-such-option"));
        assertTrue(err.toString().contains("Unknown option: '--no-such-option'"), err.toString());
    }
}
