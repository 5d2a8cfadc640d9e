package io.cpns.server.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.cpns.server.shell.GogoShell.refusing;

import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server:useradd} as an operator types it, parsed and dispatched by the real Gogo runtime
 * (issue 14 §2): the password from an owner-only file, the argument form refused without
 * repeating the value, the result printed (not only returned: Karaf's bin/client drops it). The
 * registry only records what reaches {@code register}.
 */
class UserAddCommandTest {
    private final List<String> registered = new ArrayList<>();
    private GogoShell shell;

    @TempDir
    Path dir;

    @BeforeEach
    void gogo() {
        UserRegistry users = (UserRegistry) Proxy.newProxyInstance(UserRegistry.class.getClassLoader(), new Class<?>[] {UserRegistry.class},
                (proxy, m, args) -> {
                    if (!m.getName().equals("register")) {
                        throw new AssertionError("useradd called " + m.getName());
                    }
                    char[] password = (char[]) args[1];
                    registered.add(args[0] + ":" + new String(password));
                    java.util.Arrays.fill(password, '\0');
                    return null;
                });
        shell = new GogoShell().add("server", new ServerCommands(users, refusing(EntityRegistry.class), refusing(ServerEndpoint.class)),
                "useradd");
    }

    @AfterEach
    void stop() {
        shell.close();
    }

    @Test
    void passwordFile_registersAndPrintsTheResult() throws Exception {
        Path f = dir.resolve("alice.pw");
        Files.writeString(f, "s3cret-1\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertEquals("CPNS User alice registered\n", shell.run("server:useradd --password-file " + f + " alice"));
        assertEquals(List.of("alice:s3cret-1"), registered);
    }

    @Test
    void passwordArgument_isRefusedWithoutRepeatingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shell.run("server:useradd alice s3cret-1"));
        assertTrue(e.getMessage().contains("server:useradd --password-file <file> alice"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret-1"));
        assertEquals(List.of(), registered);
    }

    @Test
    void noTerminalAndNoFile_isRefusedNamingTheFileOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shell.run("server:useradd alice"));
        assertTrue(e.getMessage().contains("--password-file"), e.getMessage());
        assertEquals(List.of(), registered);
    }
}
