package io.cpns.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.testkit.Commands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Test;

/**
 * The unattended form of the password commands (issue 14 §2), in a Server and a PN GW of the
 * distribution started as an operator starts them: {@code help gw:assign} and {@code gw:assign --help}
 * show the usage; {@code server:useradd --password-file} and
 * {@code gw:assign --password-file} with an owner-only file, the link then AUTHENTICATED; the
 * password never appears in either runtime's output (log and console transcript), in a thread
 * name of either JVM ({@code jcmd Thread.print}), or in their command lines. Needs
 * {@code script(1)} for the consoles.
 */
public class PasswordCommandsIT {
    private static final String USER = "alice";

    @Test
    public void passwordFile_enrolsTheGateway_andThePasswordIsNowhereInLogsThreadsOrCommandLines() throws Exception {
        String missing = Commands.missing("script").orElse(null);
        if (missing != null) {
            System.out.println("[PasswordCommandsIT] skipped: script(1) is needed to type at the consoles: " + missing);
        }
        Assume.assumeTrue(missing, missing == null);
        Path home = Files.createDirectories(Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
                .resolve("pwfile-" + UUID.randomUUID().toString().substring(0, 8)));
        String password = "pw-" + UUID.randomUUID();
        Path file = home.resolve("alice.pw");
        Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        try (ForkedRuntime server = ForkedRuntime.server(home.resolve("server")).start().awaitReady()) {
            String added = server.shell("server:useradd --password-file " + file + " " + USER);
            assertTrue(added, added.contains("CPNS User " + USER + " registered"));
            // no userId/password in its configuration: the key comes from gw:assign
            try (ForkedRuntime gateway = ForkedRuntime.of("gateway", home.resolve("gateway")).terminal()
                    .configure("cpns.gw.identity", "gatewayId=gw-pwfile")
                    .configure("cpns.gw.link", "serverHost=127.0.0.1", "serverPort=" + server.port("cpns.server.endpoint"),
                            "serverId=cpns-server", "serverName=localhost",
                            "operatorCaFile=" + server.data().resolve("pki/operator-ca.pem"),
                            "keepaliveSeconds=5", "backoffInitialMillis=100", "backoffMaxMillis=500")
                    .configure("cpns.pan.ip", "port=" + AbstractSliceIT.freePort(), "discoveryPort=0", "announceSeconds=0")
                    .configure("cpns.gw.broker", "port=" + AbstractSliceIT.freePort())
                    .start().awaitReady()) {
                // the usage, in Felix's help and in the command's own --help (which Karaf's help runs)
                String felixHelp = gateway.shell("help gw:assign");
                assertTrue(felixHelp, felixHelp.contains("owner-only file whose first line is the password"));
                String help = gateway.shell("gw:assign --help");
                assertTrue(help, help.startsWith("gw:assign [--help] [--password-file <value>] <CPNS User ID>"));
                String assigned = gateway.shell("gw:assign --password-file " + file + " " + USER);
                assertTrue(assigned, assigned.contains("EUKey assigned"));
                Osgi.eventually("the link AUTHENTICATED", () -> {
                    try {
                        return gateway.shell("gw:link").contains("AUTHENTICATED");
                    } catch (IOException e) {
                        return false;
                    }
                }, gateway::log);

                for (ForkedRuntime r : new ForkedRuntime[] {server, gateway}) {
                    assertFalse(r.role + "'s output holds the password", r.log().contains(password));
                    String threads = threadDump(r.jvm());
                    assertTrue(r.role + ": no thread dump: " + threads, threads.contains("Full thread dump"));
                    assertFalse(r.role + "'s thread names hold the password", threads.contains(password));
                    ProcessHandle.Info info = r.jvm().info();
                    assertFalse(r.role + "'s command line holds the password", info.commandLine().orElse("").contains(password));
                    assertFalse(r.role + "'s command line holds the password",
                            String.join(" ", info.arguments().orElse(new String[0])).contains(password));
                }
            }
        }
    }

    /** The JVM's threads, by name, as {@code jcmd <pid> Thread.print} lists them (its own attach mechanism, no agent of ours). */
    private static String threadDump(ProcessHandle jvm) throws Exception {
        Process jcmd = new ProcessBuilder("jcmd", String.valueOf(jvm.pid()), "Thread.print").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("jcmd did not finish", jcmd.waitFor(60, TimeUnit.SECONDS));
        return out;
    }
}
