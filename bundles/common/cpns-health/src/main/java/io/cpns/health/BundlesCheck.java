package io.cpns.health;

import io.cpns.api.health.HealthContributor;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Concern "CPNS bundles": every bundle of the runtime ({@link Parts}) ACTIVE, fragments aside.
 * Called on the caller's thread of a report; reads bundle states only, never blocks.
 */
@Component(service = {HealthContributor.class, BundlesCheck.class},
        property = {"hc.name=CPNS bundles", "hc.tags=cpns", "hc.tags=readiness"})
public class BundlesCheck implements HealthContributor {
    private final BundleContext context;

    @Activate
    public BundlesCheck(BundleContext context) {
        this.context = context;
    }

    @Override
    public List<String> problems() {
        return problems(Parts.of(context));
    }

    static List<String> problems(List<Bundle> parts) {
        List<String> problems = new ArrayList<>();
        for (Bundle b : parts) {
            if (b.getState() != Bundle.ACTIVE && !Parts.isFragment(b)) {
                problems.add("bundle " + b.getSymbolicName() + " is " + state(b.getState()));
            }
        }
        return problems;
    }

    int count() {
        return Parts.of(context).size();
    }

    static String state(int s) {
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
