package io.cpns.health;

import io.cpns.api.health.HealthChecks;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Which bundles are parts of the CPNS runtime: those whose manifest carries {@link HealthChecks#PART_HEADER}
 * (the CPNS build adds it to each of its bundles). Never by symbolic name: another vendor's bundle may
 * be named anything, and one that fails is that vendor's problem, not the runtime's (D116).
 */
final class Parts {
    private Parts() {
    }

    /** The raw (unlocalized) header: the same answer in every state, INSTALLED included. */
    static boolean isPart(Bundle b) {
        return b.getBundleId() != 0 && b.getHeaders("").get(HealthChecks.PART_HEADER) != null;
    }

    static boolean isFragment(Bundle b) {
        return b.getHeaders("").get("Fragment-Host") != null;
    }

    static List<Bundle> of(BundleContext context) {
        List<Bundle> parts = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (isPart(b)) {
                parts.add(b);
            }
        }
        return parts;
    }
}
