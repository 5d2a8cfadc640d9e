package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.testkit.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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

    /**
     * A Server with CPNS User alice (registered at its console, the password typed at its prompt), and
     * a PN GW enrolled as alice's from its configuration; both with the scripts' own heap.
     */
    private ForkedRuntime[] serverAndEnrolledGateway(String umask) throws Exception {
        String missing = Commands.missing("script").orElse(null);
        if (missing != null) {
            System.out.println("[DataFileModesIT] skipped: script(1) is needed to type at the Server's console: " + missing);
        }
        Assume.assumeTrue(missing, missing == null);
        ForkedRuntime server = ForkedRuntime.of("server", home.resolve("server")).terminal().umask(umask).javaOpts(null)
                .configure("cpns.server.endpoint", "port=" + AbstractSliceIT.freePort()).start().awaitReady();
        server.useradd("alice", PASSWORD);
        ForkedRuntime gateway = ForkedRuntime.gateway(home.resolve("gateway"), "gw-modes", server.port("cpns.server.endpoint"),
                server.data().resolve("pki/operator-ca.pem"), "alice", PASSWORD).umask(umask).javaOpts(null).start().awaitReady();
        Osgi.eventually("gw-modes enrolled and authenticated", () -> server.log().contains("GATEWAY gw-modes of CPNS User alice authenticated"),
                () -> server.log() + "\n----\n" + gateway.log());
        Osgi.eventually("the password erased from the PN GW's configuration", () -> !contains(gateway.data(), PASSWORD),
                gateway::log);
        assertFalse("the password typed at the console is not in the Server's output", server.log().contains(PASSWORD));
        return new ForkedRuntime[] {server, gateway};
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
        ForkedRuntime[] both = serverAndEnrolledGateway(null);
        List<String> running = new ArrayList<>();
        for (ForkedRuntime r : both) {
            loose(r.data()).forEach(l -> running.add(r.role + ": " + l));
        }
        for (ForkedRuntime r : both) {
            r.close();
        }
        List<String> stopped = new ArrayList<>();
        for (ForkedRuntime r : both) {
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
        ForkedRuntime[] both = serverAndEnrolledGateway("022");
        ForkedRuntime server = both[0];
        Path data = server.data();
        try {
            for (ForkedRuntime r : both) {
                assertEquals(r.role + " data directory", "rwx------", mode(r.data()));
                // the launcher says it just after cpns-health's ready line, which the test waited for: a race
                Osgi.eventually(r.role + ": the launcher said what it tightened",
                        () -> r.log().contains("runtime up: made ") && r.log().contains("owner-only"), r::log);
            }
            assertEquals("rwx------", mode(data.resolve("db")));
            assertEquals("rw-------", mode(data.resolve("db/cpns.mv.db")));
            assertEquals("rwx------", mode(data.resolve("pki")));
            for (String f : List.of("operator-ca.pem", "operator-ca.key", "server.pem", "server.key")) {
                assertEquals(f, "rw-------", mode(data.resolve("pki").resolve(f)));
            }
            List<String> left = new ArrayList<>();
            for (ForkedRuntime r : both) {
                loose(r.data()).forEach(l -> left.add(r.role + ": " + l));
            }
            System.out.println("[DataFileModesIT] umask 022 without the scripts: still loose inside the 0700 data directories " + left);
        } finally {
            for (ForkedRuntime r : both) {
                r.close();
            }
        }
    }
}
