package io.cpns.server.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.cpns.server.shell.GogoShell.refusing;

import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --help} of every Server command through the real Gogo runtime (issue 14 §2): Apache
 * Karaf's {@code help <command>} runs {@code <command> --help}, so each must print its synopsis and
 * description, never run (the services refuse any call) nor answer "Cannot coerce". A command whose
 * every form takes arguments shows the same usage when typed alone.
 */
class HelpTest {
    private final List<Object> commands = List.of(
            new ServerCommands(refusing(UserRegistry.class), refusing(EntityRegistry.class), refusing(ServerEndpoint.class)),
            new PnCommands(refusing(PnRegistry.class)), new GroupCommands(refusing(GroupRegistry.class)));
    private GogoShell shell;

    /** The command names of a class: its public methods with a {@code @Descriptor}. */
    private static Set<String> functions(Object commands) {
        Set<String> names = new TreeSet<>();
        for (Method m : commands.getClass().getMethods()) {
            if (m.isAnnotationPresent(Descriptor.class)) {
                names.add(m.getName());
            }
        }
        return names;
    }

    @BeforeEach
    void gogo() {
        shell = new GogoShell();
        for (Object c : commands) {
            shell.add("server", c, functions(c).toArray(String[]::new));
        }
    }

    @AfterEach
    void stop() {
        shell.close();
    }

    private String run(String line) throws Exception {
        return shell.run(line);
    }

    @Test
    void everyCommand_answersHelp_withItsSynopsisAndDescription() throws Exception {
        int checked = 0;
        for (Object c : commands) {
            for (String f : functions(c)) {
                String help = run("server:" + f + " --help");
                assertTrue(help.startsWith("server:" + f), f + ": " + help);
                String described = Arrays.stream(c.getClass().getMethods()).filter(m -> m.getName().equals(f))
                        .map(m -> m.getAnnotation(Descriptor.class).value()).filter(d -> !d.startsWith("Shows") && !d.startsWith("Refused"))
                        .findFirst().orElseThrow();
                assertTrue(help.contains(described), f + ": " + help);
                assertEquals(help, run("server:" + f + " -h"));
                checked++;
            }
        }
        assertEquals(19, checked, "only " + checked + " commands");
    }

    @Test
    void argumentsAndHelp_showTheHelp_withoutRunningTheCommand() throws Exception {
        assertTrue(run("server:entityremove pne-1 --help").startsWith("server:entityremove [--help] <Entity ID>"));
        assertTrue(run("server:groupdel").startsWith("server:groupdel [--help] <group ID>"));
    }

    @Test
    void passwordCommand_showsTheFileOption_andNotTheRefusedForm() throws Exception {
        String help = run("server:useradd --help");
        assertTrue(help.startsWith("server:useradd [--help] [--password-file <value>] <User ID>"), help);
        assertTrue(help.contains("owner-only file"), help);
        assertFalse(help.contains("refused"), help);
    }
}
