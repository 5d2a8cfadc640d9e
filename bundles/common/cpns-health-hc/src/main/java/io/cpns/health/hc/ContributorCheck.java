package io.cpns.health.hc;

import io.cpns.api.health.HealthContributor;
import java.util.List;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;

/**
 * One CPNS health check as an Apache Felix {@link HealthCheck}: each problem line a CRITICAL entry.
 * Called on Felix HC's executor threads; the contributor's problems() is cheap and never blocks.
 */
final class ContributorCheck implements HealthCheck {
    private final HealthContributor contributor;
    private final String name;

    ContributorCheck(HealthContributor contributor, String name) {
        this.contributor = contributor;
        this.name = name;
    }

    @Override
    public Result execute() {
        List<String> problems;
        try {
            problems = contributor.problems();
        } catch (RuntimeException e) {
            return new Result(Result.Status.HEALTH_CHECK_ERROR, name + " failed", e);
        }
        if (problems.isEmpty()) {
            return new Result(Result.Status.OK, name + ": no problem");
        }
        ResultLog log = new ResultLog();
        problems.forEach(p -> log.add(new ResultLog.Entry(Result.Status.CRITICAL, p)));
        return new Result(log);
    }
}
