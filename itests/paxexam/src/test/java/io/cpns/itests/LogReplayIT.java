package io.cpns.itests;

import static org.junit.Assert.assertEquals;

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
 * The log (data/log/cpns.log, D120) has the start-up lines of the first CPNS bundles: Logback
 * and Apache Felix Logback run from start level 1, before any of them, so nothing has to be replayed
 * from the Log Service's history. An updated Felix Logback (the bridge swapped at run time) writes
 * no line a second time and goes on with the lines after it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LogReplayIT {
    @Inject
    BundleContext ctx;

    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("logreplay", Map.of(), "runtime", "core");
    }

    @Test
    public void startLines_writtenOnce_evenAfterTheLogBridgeIsUpdated() throws Exception {
        Osgi osgi = new Osgi(ctx);
        osgi.awaitReady();
        LogFile log = LogFile.of(ctx);
        Osgi.eventually("the secret store's start-up line", () -> log.count("io.cpns.keystore  secret store at") == 1, log::text);
        Osgi.eventually("the ready line", () -> log.count("io.cpns.health  CPNS runtime ready") == 1, log::text);

        osgi.bundle("org.apache.felix.logback").update();
        osgi.awaitReady();
        osgi.service(LoggerFactory.class).getLogger("replay-test").info("after the update");
        Osgi.eventually("a line logged after the update", () -> log.count("INFO  replay-test  after the update") == 1, log::text);

        assertEquals(1, log.count("io.cpns.keystore  secret store at"));
        Map<String, Long> twice = log.lines().stream().collect(Collectors.groupingBy(l -> l, Collectors.counting()));
        twice.values().removeIf(n -> n == 1);
        assertEquals("no line written twice", Map.of(), twice);
    }
}
