package io.cpns.server.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.server.GroupRegistry;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    private GogoShell shell;

    private String run(String line) throws Exception {
        GroupRegistry recording = (GroupRegistry) Proxy.newProxyInstance(GroupRegistry.class.getClassLoader(),
                new Class<?>[] {GroupRegistry.class}, (proxy, m, args) -> {
                    if (!m.getName().equals("send")) {
                        throw new AssertionError("groupsend called " + m.getName());
                    }
                    sent.add(args[0] + ":" + new String((byte[]) args[1], StandardCharsets.UTF_8));
                    return 2;
                });
        shell = new GogoShell().add("server", new GroupCommands(recording), "groupsend");
        return shell.run(line).trim(); // commands print their result (issue 14 §2)
    }

    @AfterEach
    void stop() {
        shell.close();
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
