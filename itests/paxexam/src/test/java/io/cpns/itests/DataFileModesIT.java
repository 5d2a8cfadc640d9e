package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * The files a CPNS Server and a PN GW of the distribution write: started as an operator starts
 * them ({@code bin/cpns-server}, {@code bin/cpns-gateway}), a CPNS User registered at the
 * Server's console, the PN GW enrolled from its configuration (so its password is erased from
 * it: Config Admin and FileInstall write the configuration again), every file under both data
 * directories must be 0600 and every directory 0700, while they run and after they stop. Nothing
 * there is public by design (docs/security.md §10.3). Needs {@code script(1)} for the console.
 */
public class DataFileModesIT {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final String PASSWORD = "alice-secret-1";

    private Path home;

    @Before
    public void home() throws IOException {
        home = Files.createDirectories(Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
                .resolve("modes-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    /** Every path under {@code dir} that group or others may use, as "mode path". */
    static List<String> loose(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                try {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                    if (perms.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                        found.add(PosixFilePermissions.toString(perms) + " " + dir.relativize(p));
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a temporary file, gone meanwhile
                }
            }
        }
        return found;
    }

    private static List<String> first(List<String> paths) {
        return paths.subList(0, Math.min(20, paths.size()));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** A Server with CPNS User alice, and a PN GW enrolled as alice's from its configuration. */
    private ScriptedRuntime[] serverAndEnrolledGateway(String umask) throws Exception {
        if (!ScriptedRuntime.terminalAvailable()) {
            System.out.println("[DataFileModesIT] skipped: script(1) (util-linux/bsdutils) is needed to type at the Server's console");
        }
        Assume.assumeTrue(ScriptedRuntime.terminalAvailable());
        int port = AbstractSliceIT.freePort();
        ScriptedRuntime server = ScriptedRuntime.start("server", home.resolve("server"),
                Map.of("cpns.server.endpoint.cfg", List.of("port=" + port)), null, true, umask).awaitReady();
        server.shell("server:useradd alice " + PASSWORD);
        Osgi.eventually("alice registered", () -> server.log().contains("CPNS User alice registered"), server::log);
        ScriptedRuntime gateway = ScriptedRuntime.start("gateway", home.resolve("gateway"), Map.of(
                "cpns.gw.identity.cfg", List.of("gatewayId=gw-modes"),
                "cpns.gw.link.cfg", List.of("serverHost=127.0.0.1", "serverPort=" + port, "serverId=cpns-server", "serverName=localhost",
                        "operatorCaFile=" + server.data().resolve("pki/operator-ca.pem"), "userId=alice", "password=" + PASSWORD,
                        "backoffInitialMillis=100", "backoffMaxMillis=500"),
                "cpns.pan.ip.cfg", List.of("port=" + AbstractSliceIT.freePort(), "discoveryPort=" + AbstractSliceIT.freePort(),
                        "discoveryInterface=lo", "announceSeconds=0"),
                "cpns.gw.broker.cfg", List.of("port=" + AbstractSliceIT.freePort())), null, false, umask).awaitReady();
        Osgi.eventually("gw-modes enrolled and authenticated", () -> server.log().contains("GATEWAY gw-modes of CPNS User alice authenticated"),
                () -> server.log() + "\n----\n" + gateway.log());
        Osgi.eventually("the password erased from the PN GW's configuration", () -> !contains(gateway.data(), PASSWORD),
                gateway::log);
        return new ScriptedRuntime[] {server, gateway};
    }

    /** Whether any file under {@code dir} holds {@code s}. */
    private static boolean contains(Path dir, String s) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).anyMatch(f -> {
                try {
                    return Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(s);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return true; // walking while files come and go: ask again
        }
    }

    /** They may hold passwords; FileInstall writes changes back in place, keeping the mode. */
    @Test
    public void theDistributionsConfigurationFiles_areOwnerOnly() throws Exception {
        for (String role : List.of("server", "gateway")) {
            Path config = CpnsOptions.dist().resolve("etc").resolve(role).resolve("config");
            assertEquals(config.toString(), "rwx------", mode(config));
            assertEquals(config + ": " + loose(config), List.of(), loose(config));
        }
    }

    @Test
    public void startedByTheScripts_everyFileOfServerAndGatewayIsOwnerOnly_runningAndStopped() throws Exception {
        ScriptedRuntime[] both = serverAndEnrolledGateway(null);
        List<String> running = new ArrayList<>();
        for (ScriptedRuntime r : both) {
            loose(r.data()).forEach(l -> running.add(r.role + ": " + l));
        }
        for (ScriptedRuntime r : both) {
            r.close();
        }
        List<String> stopped = new ArrayList<>();
        for (ScriptedRuntime r : both) {
            loose(r.data()).forEach(l -> stopped.add(r.role + ": " + l));
        }
        System.out.println("[DataFileModesIT] scripts: loose while running " + running + ", after stop " + stopped);
        assertEquals("paths group or others may use while running: " + first(running), 0, running.size());
        assertEquals("paths group or others may use after stop: " + first(stopped), 0, stopped.size());
        assertTrue(Files.exists(both[0].data().resolve("db/cpns.mv.db")));
    }

    /**
     * Started without the scripts under a 022 umask: what our code makes owner-only itself (the data
     * directories, the Server's database and PKI) and what the launcher tightens once the runtime is
     * up. Prints what stays loose (files others create later; inside the 0700 data directory
     * nobody else can reach them).
     */
    @Test
    public void startedWithoutTheScriptsUnderALooseUmask_theDataDirectoriesAndTheServersSecretsAreStillOwnerOnly() throws Exception {
        ScriptedRuntime[] both = serverAndEnrolledGateway("022");
        ScriptedRuntime server = both[0];
        Path data = server.data();
        try {
            for (ScriptedRuntime r : both) {
                assertEquals(r.role + " data directory", "rwx------", mode(r.data()));
                assertTrue(r.role + ": the launcher said what it tightened:\n" + r.log(),
                        r.log().contains("runtime up: made ") && r.log().contains("owner-only"));
            }
            assertEquals("rwx------", mode(data.resolve("db")));
            assertEquals("rw-------", mode(data.resolve("db/cpns.mv.db")));
            assertEquals("rwx------", mode(data.resolve("pki")));
            for (String f : List.of("operator-ca.pem", "operator-ca.key", "server.pem", "server.key")) {
                assertEquals(f, "rw-------", mode(data.resolve("pki").resolve(f)));
            }
            List<String> left = new ArrayList<>();
            for (ScriptedRuntime r : both) {
                loose(r.data()).forEach(l -> left.add(r.role + ": " + l));
            }
            System.out.println("[DataFileModesIT] umask 022 without the scripts: still loose inside the 0700 data directories " + left);
        } finally {
            for (ScriptedRuntime r : both) {
                r.close();
            }
        }
    }
}
