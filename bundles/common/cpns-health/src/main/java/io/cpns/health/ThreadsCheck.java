package io.cpns.health;

import io.cpns.api.health.HealthContributor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Concern "JVM threads", the liveness check: threads deadlocked on monitors or locks never recover,
 * so only a restart helps (a watchdog waiting on the {@code cpns.live} condition sees it withdrawn).
 * Called on the caller's thread of a report; asks the JVM, never blocks.
 */
@Component(service = HealthContributor.class,
        property = {"hc.name=JVM threads", "hc.tags=cpns", "hc.tags=readiness", "hc.tags=liveness"})
public class ThreadsCheck implements HealthContributor {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    @Override
    public List<String> problems() {
        long[] ids = threads.findDeadlockedThreads();
        if (ids == null) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        for (ThreadInfo t : threads.getThreadInfo(ids)) {
            if (t != null) {
                problems.add("thread \"" + t.getThreadName() + "\" is deadlocked waiting for " + t.getLockName() + " held by \""
                        + t.getLockOwnerName() + "\": restart the runtime (and report it with a thread dump)");
            }
        }
        return problems;
    }
}
