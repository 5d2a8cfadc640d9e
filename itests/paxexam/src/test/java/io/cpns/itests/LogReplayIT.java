package io.cpns.itests;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.LoggerFactory;

/**
 * cpns-log-console writes what was logged before it started (the Log Service's history), and an
 * updated log console (hot swap) does not write it a second time.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LogReplayIT {
    static final Path LOG = Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
            .resolve("log-replay-" + ProcessHandle.current().pid() + ".log");

    @Inject
    BundleContext ctx;

    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("logreplay", Map.of("cpns.log.console", Map.of("file", LOG.toString())), "runtime", "core");
    }

    @Test
    public void history_writtenOnce_evenAfterTheLogConsoleIsUpdated() throws Exception {
        Osgi osgi = new Osgi(ctx);
        osgi.awaitReady();
        Osgi.eventually("the secret store's start-up line", () -> count("io.cpns.keystore  secret store at") == 1, this::log);

        osgi.bundle("io.cpns.log.console").update();
        osgi.awaitReady();
        osgi.service(LoggerFactory.class).getLogger("replay-test").info("after the update");
        Osgi.eventually("a line logged after the update", () -> count("after the update") == 1, this::log);

        assertEquals(1, count("io.cpns.keystore  secret store at"));
        Map<String, Long> twice = lines().stream().collect(Collectors.groupingBy(l -> l, Collectors.counting()));
        twice.values().removeIf(n -> n == 1);
        assertEquals("no line written twice", Map.of(), twice);
    }

    private List<String> lines() {
        try {
            return Files.exists(LOG) ? Files.readAllLines(LOG) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private long count(String part) {
        return lines().stream().filter(l -> l.contains(part)).count();
    }

    private String log() {
        return String.join("\n", lines());
    }
}
