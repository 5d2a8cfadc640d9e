package io.cpns.lib.logback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's etc/ROLE/logback.xml in a real Logback writing real files (outside OSGi:
 * cpns.data comes from the system property, the bundle column is the logger name). The console
 * appender is left out as the demo does, so the test output stays readable.
 */
class ShippedConfigurationTest {
    static final Path DIST_ETC = Path.of("../../../distribution/src/main/dist/etc");

    @TempDir
    Path data;
    LoggerContext logback;

    @BeforeEach
    void setUp() {
        System.setProperty("cpns.data", data.toString());
    }

    @AfterEach
    void tearDown() {
        if (logback != null) {
            logback.stop();
        }
        System.clearProperty("cpns.data");
    }

    LoggerContext configured(String role) throws IOException {
        Path xml = data.resolve(role + "-logback.xml");
        Files.writeString(xml, Files.readString(DIST_ETC.resolve(role).resolve("logback.xml"))
                .replaceAll("(?s)<appender name=\"CONSOLE\".*?</appender>", "").replace("<appender-ref ref=\"CONSOLE\"/>", ""));
        logback = new LoggerContext();
        logback.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as Logback's slf4j provider does
        Activator.configure(logback, xml.toFile());
        assertEquals(List.of(), logback.getStatusManager().getCopyOfStatusList().stream().filter(s -> s.getLevel() > 0).toList(),
                "no warning or error configuring " + role);
        return logback;
    }

    List<String> lines() throws IOException {
        return Files.readAllLines(data.resolve("log/cpns.log"));
    }

    @Test
    void bothRoles_writeTodaysLineFormat_ownerOnly() throws IOException {
        for (String role : List.of("gateway", "server")) {
            var log = configured(role).getLogger("org.example.Library");
            log.info("client {} connected", "pne-1");
            log.debug("not at the default level");
            assertEquals(1, lines().size(), role + ": " + lines());
            assertTrue(lines().get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  org\\.example\\.Library  client pne-1 connected"),
                    lines().get(0));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("log"))));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("log/cpns.log"))));
            logback.stop();
            Files.delete(data.resolve("log/cpns.log"));
        }
    }

    /** Issue 10's forged line, from a third-party library that does not escape what a peer sent. */
    @Test
    void aNewlineInAMessage_doesNotStartALine() throws IOException {
        configured("gateway").getLogger("io.moquette.broker.Server")
                .warn("client {} refused", "x\n2026-01-01T00:00:00.000Z ERROR gw-link  forged\r\nmore");
        assertEquals(1, lines().size(), lines().toString());
        assertTrue(lines().get(0).endsWith("client x\\n2026-01-01T00:00:00.000Z ERROR gw-link  forged\\n\\nmore refused"), lines().get(0));
    }

    /** Size-based rotation for flash: cpns.log rolled to cpns.1.log .. cpns.3.log at 1 MB, never more files. */
    @Test
    void rotation_keepsAtMostFourFilesOfAboutOneMegabyte_ownerOnly() throws IOException {
        var log = configured("gateway").getLogger("io.cpns.test.Rotation");
        String padding = "x".repeat(200);
        for (int i = 0; i < 1_000_000 && !Files.exists(data.resolve("log/cpns.3.log")); i++) {
            log.info("line {} {}", i, padding);
        }
        for (int i = 0; i < 2_000; i++) { // and a little more past the third rollover: the oldest is dropped
            log.info("line {} {}", i, padding);
        }
        try (Stream<Path> files = Files.list(data.resolve("log"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("cpns.1.log", "cpns.2.log", "cpns.3.log", "cpns.log"), names);
        }
        for (String f : List.of("cpns.1.log", "cpns.2.log", "cpns.3.log", "cpns.log")) {
            Path p = data.resolve("log").resolve(f);
            assertTrue(f.equals("cpns.log") || Files.size(p) >= 1024 * 1024, f + " rolled at 1 MB, not before: " + Files.size(p));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), f);
        }
    }
}
