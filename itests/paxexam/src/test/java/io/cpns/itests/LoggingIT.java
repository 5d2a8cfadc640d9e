package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.log.admin.LoggerAdmin;

/**
 * Levels per logger change at run time (D120, docs/operator-guide.md "Logging"): an operator
 * edits etc/ROLE/logback.xml, Logback reads it again within its scan period, and Apache Felix
 * Logback hands the new levels to the OSGi LoggerAdmin, so the bundles' OSGi loggers log at them
 * with no restart. The log file is owner-only whatever the JVM's umask. Runs on a copy of the
 * gateway's logback.xml scanned every second.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LoggingIT {
    static final Path XML = Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
            .resolve("logging-" + ProcessHandle.current().pid() + "-logback.xml");

    @Inject
    BundleContext ctx;

    @Configuration
    public Option[] config() throws IOException {
        Files.createDirectories(XML.getParent());
        String shipped = Files.readString(CpnsOptions.dist().resolve("etc/gateway/logback.xml"));
        Files.writeString(XML, shipped.replace("scanPeriod=\"10 seconds\"", "scanPeriod=\"1 seconds\""));
        return CpnsOptions.boot("logging", XML, Map.of(), "runtime", "core");
    }

    @Test
    public void aLoggersLevel_changesAtRunTime_byEditingLogbackXml() throws Exception {
        Osgi osgi = new Osgi(ctx);
        osgi.awaitReady();
        LogFile file = LogFile.of(ctx);
        Logger log = osgi.service(LoggerFactory.class).getLogger("io.cpns.itest.Levels");
        log.debug("debug before the edit");
        log.info("info before the edit");
        Osgi.eventually("the INFO line", () -> file.text().contains("INFO  io.cpns.itest.Levels  info before the edit"), file::text);
        assertFalse("DEBUG is below the shipped root level", file.text().contains("debug before the edit"));

        String xml = Files.readString(XML);
        Files.writeString(XML, xml.replace("<root level=", "<logger name=\"io.cpns.itest\" level=\"DEBUG\"/>\n  <root level="));
        Files.setLastModifiedTime(XML, FileTime.fromMillis(System.currentTimeMillis() + 2_000)); // a change even within the file system's time granularity
        LoggerAdmin admin = osgi.service(LoggerAdmin.class);
        Osgi.eventually("the OSGi LoggerAdmin at the edited level", () -> admin.getLoggerContext(null).getLogLevels().get("io.cpns.itest") == LogLevel.DEBUG,
                () -> String.valueOf(admin.getLoggerContext(null).getLogLevels()));
        AtomicInteger n = new AtomicInteger();
        Osgi.eventually("a DEBUG line after the edit", () -> {
            log.debug("debug after the edit {}", n.incrementAndGet());
            return file.text().contains("DEBUG io.cpns.itest.Levels  debug after the edit");
        }, file::text);
        assertEquals("the other loggers stay at INFO", java.util.List.of(),
                file.lines().stream().filter(l -> l.contains(" DEBUG ") && !l.contains(" io.cpns.itest.Levels ")).toList());

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path().getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
    }
}
