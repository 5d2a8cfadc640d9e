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
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * Passwords in configuration given as references the Felix Config Admin interpolation plugin
 * resolves (issue 14 §2, decision D113), in a Server and a PN GW of the distribution started as
 * an operator starts them: the Server's database password from {@code $[env:…]}, the PN GW's
 * enrolment password from {@code $[secret:…]} (a file in {@code ${cpns.data}/secrets}), the link
 * then AUTHENTICATED, the password in neither log and gone from the .cfg once used; a plain
 * long-lived password in a .cfg file ({@code adminPassword}) is refused, without being repeated.
 * Needs {@code script(1)} for the Server's console.
 */
public class ConfigSecretsIT {
    private Path home;

    @Before
    public void home() throws IOException {
        home = Files.createDirectories(Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
                .resolve("secrets-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    /** {@code name} in the runtime's secrets directory, owner-only, the value as-is (no line break: the plugin takes the file whole). */
    private static void secret(ForkedRuntime r, String name, String value) throws IOException {
        Path dir = Files.createDirectories(r.data().resolve("secrets"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path f = dir.resolve(name);
        Files.writeString(f, value, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    public void references_resolvedFromSecretFilesAndEnvironment_neverLogged() throws Exception {
        String missing = Commands.missing("script").orElse(null);
        if (missing != null) {
            System.out.println("[ConfigSecretsIT] skipped: script(1) is needed to type at the Server's console: " + missing);
        }
        Assume.assumeTrue(missing, missing == null);
        String dbPassword = "db-" + UUID.randomUUID();
        String password = "pw-" + UUID.randomUUID();
        Path file = home.resolve("alice.pw");
        Files.writeString(file, password + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try (ForkedRuntime server = ForkedRuntime.server(home.resolve("server")).env("CPNS_TEST_DB_PASSWORD", dbPassword)
                .configure("cpns.server.store", "password=$[env:CPNS_TEST_DB_PASSWORD]").start().awaitReady()) {
            server.shell("server:useradd --password-file " + file + " alice");
            ForkedRuntime gateway = ForkedRuntime.gateway(home.resolve("gateway"), "gw-secrets", server.port("cpns.server.endpoint"),
                    server.data().resolve("pki/operator-ca.pem"), "alice", "$[secret:alice-password]");
            secret(gateway, "alice-password", password);
            try (ForkedRuntime gw = gateway.start().awaitReady()) {
                Osgi.eventually("gw-secrets enrolled and authenticated",
                        () -> server.log().contains("GATEWAY gw-secrets of CPNS User alice authenticated"), gw::log);
                Osgi.eventually("the reference erased from cpns.gw.link once used",
                        () -> gw.configured("cpns.gw.link", "password", null) == null, gw::log);
                assertFalse("the gateway's output holds the password", gw.log().contains(password));
            }
            assertFalse("the Server's output holds a password", server.log().contains(password) || server.log().contains(dbPassword));
            assertTrue("the store's .cfg keeps the reference", server.configured("cpns.server.store", "password").startsWith("$[env:"));
        }
    }

    @Test
    public void plainLongLivedPasswordInACfgFile_isRefused() throws Exception {
        String plain = "plain-" + UUID.randomUUID();
        try (ForkedRuntime gateway = ForkedRuntime.of("gateway", home.resolve("gateway")).terminal()
                .configure("cpns.gw.broker", "port=" + AbstractSliceIT.freePort(), "adminUser=cpns-gw", "adminPassword=" + plain)
                .configure("cpns.pan.ip", "port=" + AbstractSliceIT.freePort(), "discoveryPort=0", "announceSeconds=0")
                .start()) {
            Osgi.eventually("the plain adminPassword refused", () -> gateway.log().contains("cpns.gw.broker adminPassword is a plain password"),
                    gateway::log);
            assertFalse("the refusal repeats the password", gateway.log().contains(plain));
        }
    }
}
