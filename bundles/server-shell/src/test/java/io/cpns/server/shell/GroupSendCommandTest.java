package io.cpns.server.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.server.GroupRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server:groupsend} as an operator types it, parsed and dispatched by the real Gogo
 * runtime (issue 12 §7). Unquoted text of several words reached no method and Gogo answered with
 * its raw {@code IllegalArgumentException: Cannot coerce groupsend(...)}; now the command says to
 * quote the text and sends nothing. The registry only records what reaches {@code send}: the
 * command's parsing is what is under test, not the delivery (GroupBroadcastIT runs that).
 */
class GroupSendCommandTest {
    private final List<String> sent = new ArrayList<>();
    private final ThreadIOImpl tio = new ThreadIOImpl();
    private CommandProcessorImpl gogo;

    private String run(String line) throws Exception {
        tio.start();
        gogo = new CommandProcessorImpl(tio);
        GroupRegistry recording = (GroupRegistry) Proxy.newProxyInstance(GroupRegistry.class.getClassLoader(),
                new Class<?>[] {GroupRegistry.class}, (proxy, m, args) -> {
                    if (!m.getName().equals("send")) {
                        throw new AssertionError("groupsend called " + m.getName());
                    }
                    sent.add(args[0] + ":" + new String((byte[]) args[1], StandardCharsets.UTF_8));
                    return 2;
                });
        gogo.addCommand("server", new GroupCommands(recording), "groupsend");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession s = gogo.createSession(new ByteArrayInputStream(new byte[0]), ps, ps)) {
            Object result = s.execute(line);
            return out.toString(StandardCharsets.UTF_8).trim() + (result == null ? "" : result); // commands print (issue 14 §2)
        }
    }

    @AfterEach
    void stop() {
        tio.stop();
    }

    @Test
    void quotedText_isSentAsOneMessage() throws Exception {
        assertEquals("sent to 2 PN GWs with members of g1", run("server:groupsend g1 'hello, living room'"));
        assertEquals(List.of("g1:hello, living room"), sent);
    }

    @Test
    void unquotedWords_getAClearMessage_andNothingIsSent() throws Exception {
        String answer = run("server:groupsend g1 hello living room");
        assertTrue(answer.contains("quote"), answer);
        assertTrue(answer.contains("server:groupsend g1 'hello living room'"), answer);
        assertEquals(List.of(), sent);
    }
}
