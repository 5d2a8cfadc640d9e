package io.cpns.health.hc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.junit.jupiter.api.Test;

/** A CPNS health check as Felix sees it: OK without problems, CRITICAL with each problem line. */
class ContributorCheckTest {
    @Test
    void noProblem_isOk_eachProblem_isACriticalEntry() {
        List<String> problems = new ArrayList<>();
        ContributorCheck check = new ContributorCheck(() -> List.copyOf(problems), "PAN adapters");
        assertEquals(Result.Status.OK, check.execute().getStatus());

        problems.add("PAN adapter zigbee failed to start: java.io.IOException: no dongle");
        problems.add("PAN adapter vendor-x is required (cpns.gw.pan requiredAdapters) and not running");
        Result r = check.execute();
        assertEquals(Result.Status.CRITICAL, r.getStatus());
        List<String> lines = new ArrayList<>();
        for (ResultLog.Entry e : r) {
            lines.add(e.getMessage());
        }
        assertEquals(problems, lines);
    }

    @Test
    void aContributorThatThrows_isAHealthCheckError() {
        ContributorCheck check = new ContributorCheck(() -> {
            throw new IllegalStateException("store closed");
        }, "Group Keys");
        assertEquals(Result.Status.HEALTH_CHECK_ERROR, check.execute().getStatus());
    }
}
