package io.cpns.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cpns.api.health.HealthContributor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a contributor's service properties make a check: its name and tags, and what counts for readiness. */
class HealthMonitorTest {
    private static final HealthContributor NONE = List::of;

    @Test
    void aContributorWithoutTags_countsForReadiness_namedByItsComponent() {
        HealthMonitor.Check c = HealthMonitor.Check.of(NONE, Map.of("component.name", "com.vendor.Store"));
        assertEquals("com.vendor.Store", c.name());
        assertEquals(List.of("cpns", "readiness"), c.tags());
    }

    @Test
    void hcNameAndTags_areTaken_asServicePropertiesGiveThem() {
        HealthMonitor.Check c = HealthMonitor.Check.of(NONE,
                Map.of("hc.name", "JVM threads", "hc.tags", new String[] {"cpns", "liveness"}, "component.name", "x"));
        assertEquals("JVM threads", c.name());
        assertEquals(List.of("cpns", "liveness"), c.tags()); // liveness only: not a readiness problem
    }

    @Test
    void aContributorThatThrows_isAProblemLine_notAFailedReport() {
        HealthMonitor.Check c = HealthMonitor.Check.of(() -> {
            throw new IllegalStateException("closed");
        }, Map.of("hc.name", "Group Keys"));
        assertEquals(List.of("health contributor Group Keys failed: java.lang.IllegalStateException: closed"), c.problems());
    }
}
