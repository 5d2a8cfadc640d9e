package io.cpns.api.health;

import java.util.List;

/**
 * @param ready         every CPNS bundle ACTIVE and every DS component of them satisfied
 * @param readyMillis   milliseconds from JVM start until the runtime first became ready, or -1
 * @param bundles       CPNS bundles installed
 * @param components    DS components of CPNS bundles
 * @param problems      one line per inactive bundle or unsatisfied component, with the reason
 * @param heapUsedBytes heap in use now
 */
public record HealthReport(boolean ready, long readyMillis, int bundles, int components, List<String> problems,
                           long heapUsedBytes) {
}
