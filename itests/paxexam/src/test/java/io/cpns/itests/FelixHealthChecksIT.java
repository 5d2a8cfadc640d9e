package io.cpns.itests;

import static org.junit.Assert.assertTrue;

import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Issue 14 §4: the CPNS health checks in Apache Felix Health Checks' own tools. The whole gateway
 * with the optional feature healthcheck, in a real Felix: Felix's {@code hc:exec} runs every CPNS
 * check by its tag and says OK, and CRITICAL with the problem line when one has a problem.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FelixHealthChecksIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("felix-hc", configs(Map.of()), "runtime", "core", "server", "gateway", "pne", "healthcheck");
    }

    @Test
    public void hcExec_runsTheCpnsChecks_andShowsAProblem() throws Exception {
        osgi.awaitReady();
        Osgi.eventually("hc:exec cpns OK", () -> exec().contains("Overall Health Result: OK"), this::exec);
        String ok = exec();
        for (String name : new String[] {"CPNS bundles", "CPNS components", "JVM threads", "Server link", "PAN adapters"}) {
            assertTrue(name + " in " + ok, ok.contains(name));
        }
        osgi.configure("cpns.gw.pan", Map.of("requiredAdapters", new String[] {"vendor-zigbee"}));
        try {
            Osgi.eventually("hc:exec cpns CRITICAL", () -> exec().contains("CRITICAL") && exec().contains("PAN adapter vendor-zigbee is required"),
                    this::exec);
        } finally {
            osgi.configure("cpns.gw.pan", Map.of("requiredAdapters", new String[0]));
        }
        osgi.awaitReady();
    }

    private String exec() {
        try {
            return osgi.shell("hc:exec -v cpns");
        } catch (Exception e) {
            return e.toString();
        }
    }
}
