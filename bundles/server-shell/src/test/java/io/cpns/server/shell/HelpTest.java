package io.cpns.server.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
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
    private final ThreadIOImpl tio = new ThreadIOImpl();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Object> commands = List.of(
            new ServerCommands(refusing(UserRegistry.class), refusing(EntityRegistry.class), refusing(ServerEndpoint.class)),
            new PnCommands(refusing(PnRegistry.class)), new GroupCommands(refusing(GroupRegistry.class)));
    private CommandSession session;

    @SuppressWarnings("unchecked")
    private static <T> T refusing(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            throw new AssertionError("--help called " + type.getSimpleName() + "." + m.getName());
        });
    }

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
        tio.start();
        CommandProcessorImpl gogo = new CommandProcessorImpl(tio);
        for (Object c : commands) {
            for (String f : functions(c)) {
                gogo.addCommand("server", c, f);
            }
        }
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        session = gogo.createSession(new ByteArrayInputStream(new byte[0]), ps, ps);
    }

    @AfterEach
    void stop() {
        session.close();
        tio.stop();
    }

    private String run(String line) throws Exception {
        out.reset();
        session.execute(line);
        return out.toString(StandardCharsets.UTF_8);
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
