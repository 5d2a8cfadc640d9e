package io.cpns.health;

import io.cpns.api.health.Health;
import io.cpns.api.health.HealthChecks;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.health.HealthReport;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condition.Condition;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Aggregates every {@link HealthContributor} service (one per concern: {@link BundlesCheck},
 * {@link ComponentsCheck}, {@link ThreadsCheck}, the Server link, the PAN side, the stores …) into
 * {@link Health#report()}, and keeps the {@code cpns.ready} and {@code cpns.live} condition services
 * registered while they hold (D116). Logs one line when the runtime first becomes ready, with the
 * time since JVM start and the heap in use: the start-to-ready figure of docs/operator-guide.md. Gogo:
 * {@code cpns:health}.
 */
@Component(configurationPid = "cpns.health", immediate = true,
        property = {"osgi.command.scope=cpns", "osgi.command.function=health"})
@Designate(ocd = HealthMonitor.Config.class)
public class HealthMonitor implements Health {
    @ObjectClassDefinition(name = "CPNS health", description = "How often readiness and liveness are checked.")
    public @interface Config {
        @AttributeDefinition(description = "After the runtime was first READY, the cpns.ready and cpns.live condition services are "
                + "re-checked this often (ms); before it, every 20 ms so the start-to-ready time is exact")
        long intervalMillis() default 1000;
    }

    /** Static: a report without these two would say READY before the runtime's parts are looked at. */
    @Reference
    private BundlesCheck bundles;

    @Reference
    private ComponentsCheck components;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private final List<Check> checks = new CopyOnWriteArrayList<>();

    private BundleContext context;
    private ScheduledExecutorService timer;
    private long intervalMillis;
    private volatile long readyMillis = -1;
    private ServiceRegistration<Condition> ready; // the timer thread's only
    private ServiceRegistration<Condition> live;

    /** A concern with its name and tags, from its service properties. */
    record Check(HealthContributor contributor, String name, List<String> tags) {
        static Check of(HealthContributor c, Map<String, Object> props) {
            Object name = props.get(HealthChecks.NAME);
            List<String> tags = Tags.of(props.get(HealthChecks.TAGS));
            return new Check(c, name == null ? String.valueOf(props.get("component.name")) : name.toString(),
                    tags.isEmpty() ? List.of(HealthChecks.TAG_CPNS, HealthChecks.TAG_READINESS) : tags);
        }

        List<String> problems() {
            try {
                return contributor.problems();
            } catch (RuntimeException e) {
                return List.of("health contributor " + name + " failed: " + e);
            }
        }
    }

    /** Problems only their component can see (an adapter down, a corrupt record): any one keeps the runtime NOT READY. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addContributor(HealthContributor c, Map<String, Object> props) {
        checks.add(Check.of(c, props));
    }

    void removeContributor(HealthContributor c) {
        checks.removeIf(k -> k.contributor() == c);
    }

    @Activate
    void activate(BundleContext context, Config config) {
        this.context = context;
        this.intervalMillis = Math.max(20, config.intervalMillis());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-health");
            t.setDaemon(true);
            return t;
        });
        timer.schedule(this::checkReady, 0, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS); // the conditions are the timer thread's: withdrawn after its last run
        ready = withdraw(ready);
        live = withdraw(live);
    }

    /** On the cpns-health thread: the log line once, then the conditions kept in step with the checks. */
    private void checkReady() {
        try {
            // each tick asks only what the conditions need; the counts of a full report (a second SCR
            // query, more bundle walks) are for the one ready line and for those who ask
            boolean isReady = problems(HealthChecks.TAG_READINESS).isEmpty() && !Parts.of(context).isEmpty();
            if (isReady && readyMillis < 0) {
                long millis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
                readyMillis = millis;
                HealthReport r = report();
                log.info("CPNS runtime ready in {} ms since JVM start: {} bundles, {} components, heap used {} MiB",
                        millis, r.bundles(), r.components(), r.heapUsedBytes() >> 20);
            }
            ready = isReady ? offer(ready, HealthChecks.READY) : withdraw(ready);
            live = liveness().isEmpty() ? offer(live, HealthChecks.LIVE) : withdraw(live);
        } catch (RuntimeException e) { // the framework stopping under us: the next run or deactivate sorts it out
            log.debug("health check failed: {}", e.toString());
        } finally {
            if (!timer.isShutdown()) {
                timer.schedule(this::checkReady, readyMillis < 0 ? 20 : intervalMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    private ServiceRegistration<Condition> offer(ServiceRegistration<Condition> reg, String id) {
        if (reg != null) {
            return reg;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Condition.CONDITION_ID, id);
        return context.registerService(Condition.class, new Condition() {
        }, props);
    }

    private static ServiceRegistration<Condition> withdraw(ServiceRegistration<Condition> reg) {
        if (reg != null) {
            try {
                reg.unregister();
            } catch (IllegalStateException gone) { // the bundle stopped first
            }
        }
        return null;
    }

    @Override
    public HealthReport report() {
        List<String> problems = problems(HealthChecks.TAG_READINESS);
        int n = bundles.count();
        Runtime rt = Runtime.getRuntime();
        boolean ready = problems.isEmpty() && n > 0;
        return new HealthReport(ready, readyMillis, n, components.count(), List.copyOf(problems), rt.totalMemory() - rt.freeMemory());
    }

    /** Problems of the checks tagged liveness: a restart may cure them. */
    List<String> liveness() {
        return problems(HealthChecks.TAG_LIVENESS);
    }

    private List<String> problems(String tag) {
        List<String> problems = new ArrayList<>();
        for (Check c : checks) {
            if (c.tags().contains(tag)) {
                problems.addAll(c.problems());
            }
        }
        return problems;
    }

    /**
     * Gogo: {@code cpns:health [-v] [--help]}, printed rather than returned (Apache Karaf's {@code bin/client}
     * drops a return value; issue 14 §2). No Gogo types: this bundle runs without a shell too.
     */
    public void health(String... args) {
        boolean verbose = false;
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println("cpns:health [-v] [--help]\n    READY or NOT READY: every CPNS bundle active and component satisfied, and no "
                        + "health check with a problem, with each problem found\n    -v, --verbose                each check with its tags and "
                        + "result, and liveness\n    -h, --help                   show this help");
                return;
            } else if (a.equals("-v") || a.equals("--verbose")) {
                verbose = true;
            } else {
                throw new IllegalArgumentException("cpns:health: unknown argument " + a + " (cpns:health --help)");
            }
        }
        System.out.println(text(verbose));
        System.out.flush();
    }

    private String text(boolean verbose) {
        HealthReport r = report();
        StringBuilder s = new StringBuilder()
                .append(r.ready() ? "READY" : "NOT READY")
                .append(String.format("  bundles=%d components=%d heapUsed=%dMiB", r.bundles(), r.components(), r.heapUsedBytes() >> 20));
        if (r.readyMillis() >= 0) {
            s.append(" readyAfter=").append(r.readyMillis()).append("ms");
        }
        r.problems().forEach(p -> s.append("\n  ").append(p));
        if (verbose) {
            s.append("\nLIVE: ").append(liveness().isEmpty() ? "yes" : "no");
            for (Check c : checks) {
                List<String> p = c.problems();
                s.append(String.format("%n  %-22s %-8s %s", c.name(), p.isEmpty() ? "OK" : "PROBLEM", String.join(",", c.tags())));
                p.forEach(l -> s.append("\n      ").append(l));
            }
        }
        return s.toString();
    }
}
