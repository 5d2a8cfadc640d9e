package io.cpns.health;

import io.cpns.api.health.Health;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.health.HealthReport;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Watches the CPNS bundles (by symbolic-name prefix), their DS components and every
 * {@link HealthContributor} (problems only a component can see). Logs one line when
 * the runtime first becomes ready, with the time since JVM start and the heap in use: the
 * start-to-ready figure of docs/operator-guide.md. Gogo: {@code cpns:health}.
 */
@Component(configurationPid = "cpns.health", immediate = true,
        property = {"osgi.command.scope=cpns", "osgi.command.function=health"})
@Designate(ocd = HealthMonitor.Config.class)
public class HealthMonitor implements Health {
    @ObjectClassDefinition(name = "CPNS health", description = "Which bundles count as the CPNS runtime.")
    public @interface Config {
        @AttributeDefinition(description = "Bundle symbolic-name prefixes of CPNS bundles")
        String[] prefixes() default {"io.cpns."};
    }

    @Reference
    private ServiceComponentRuntime scr;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    /** Problems only their component can see (an adapter down, a corrupt record): any one keeps the runtime NOT READY. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<HealthContributor> contributors = new CopyOnWriteArrayList<>();

    private BundleContext context;
    private List<String> prefixes;
    private ScheduledExecutorService timer;
    private volatile long readyMillis = -1;

    @Activate
    void activate(BundleContext context, Config config) {
        this.context = context;
        this.prefixes = Arrays.stream(config.prefixes()) // a .cfg file gives "a,b" as one string
                .flatMap(s -> Arrays.stream(s.split(","))).map(String::trim).filter(s -> !s.isEmpty()).toList();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-health");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkReady, 0, 20, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    private void checkReady() {
        HealthReport r = report();
        if (r.ready()) {
            readyMillis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            log.info("CPNS runtime ready in {} ms since JVM start: {} bundles, {} components, heap used {} MiB",
                    readyMillis, r.bundles(), r.components(), r.heapUsedBytes() >> 20);
            timer.shutdown();
        }
    }

    @Override
    public HealthReport report() {
        List<String> problems = new ArrayList<>();
        List<Bundle> ours = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (isOurs(b)) {
                ours.add(b);
                if (b.getState() != Bundle.ACTIVE && b.getHeaders().get("Fragment-Host") == null) {
                    problems.add("bundle " + b.getSymbolicName() + " is " + state(b.getState()));
                }
            }
        }
        int components = 0;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(ours.toArray(new Bundle[0]))) {
            components++;
            if (!scr.isComponentEnabled(d)) {
                problems.add("component " + d.name + " is disabled");
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                    for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                        problems.add("component " + d.name + " waits for service " + u.name + " (" + u.target + ")");
                    }
                } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
                    problems.add("component " + d.name + " waits for configuration " + String.join(",", d.configurationPid));
                } else if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    problems.add("component " + d.name + " failed to activate: " + c.failure);
                } else if (d.immediate && c.state != ComponentConfigurationDTO.ACTIVE) {
                    problems.add("component " + d.name + " is still activating");
                }
            }
        }
        for (HealthContributor c : contributors) {
            try {
                problems.addAll(c.problems());
            } catch (RuntimeException e) {
                problems.add("health contributor " + c.getClass().getName() + " failed: " + e);
            }
        }
        Runtime rt = Runtime.getRuntime();
        boolean ready = problems.isEmpty() && !ours.isEmpty();
        return new HealthReport(ready, readyMillis, ours.size(), components, List.copyOf(problems), rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Gogo: {@code cpns:health [--help]}, printed rather than returned (Apache Karaf's {@code bin/client}
     * drops a return value; issue 14 §2). No Gogo types: this bundle runs without a shell too.
     */
    public void health(String... args) {
        if (args.length > 0) {
            if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
                System.out.println("cpns:health [--help]\n    READY or NOT READY: every CPNS bundle active and component satisfied, with "
                        + "each problem found\n    -h, --help                   show this help");
                return;
            }
            throw new IllegalArgumentException("cpns:health takes no arguments (cpns:health --help)");
        }
        System.out.println(text());
        System.out.flush();
    }

    private String text() {
        HealthReport r = report();
        StringBuilder s = new StringBuilder()
                .append(r.ready() ? "READY" : "NOT READY")
                .append(String.format("  bundles=%d components=%d heapUsed=%dMiB", r.bundles(), r.components(), r.heapUsedBytes() >> 20));
        if (r.readyMillis() >= 0) {
            s.append(" readyAfter=").append(r.readyMillis()).append("ms");
        }
        r.problems().forEach(p -> s.append("\n  ").append(p));
        return s.toString();
    }

    private boolean isOurs(Bundle b) {
        String bsn = b.getSymbolicName();
        return bsn != null && prefixes.stream().anyMatch(bsn::startsWith);
    }

    private static String state(int s) {
        return switch (s) {
            case Bundle.INSTALLED -> "INSTALLED (unresolved: a dependency is missing)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "ACTIVE";
        };
    }
}
