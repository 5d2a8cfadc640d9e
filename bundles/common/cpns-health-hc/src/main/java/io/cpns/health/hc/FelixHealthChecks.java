package io.cpns.health.hc;

import io.cpns.api.health.HealthChecks;
import io.cpns.api.health.HealthContributor;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import org.apache.felix.hc.api.HealthCheck;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Registers an Apache Felix {@link HealthCheck} for every CPNS {@link HealthContributor}, with its
 * {@code hc.name} and {@code hc.tags}, so Felix's {@code hc:exec cpns}, its servlet and its Healthy
 * condition (HealthCheckMonitor) see the same checks as {@code cpns:health} (D117). An optional
 * bundle: the gateway's footprint does not carry Felix HC unless the operator installs it.
 * SCR calls bind and unbind on the thread that registers or unregisters the contributor; neither blocks
 * beyond the framework's service registry.
 */
@Component(immediate = true)
public class FelixHealthChecks {
    /** Every contributor bound, and its Felix check once registered; guarded by this. */
    private final Map<HealthContributor, Map<String, Object>> contributors = new HashMap<>();
    private final Map<HealthContributor, ServiceRegistration<HealthCheck>> checks = new HashMap<>();
    private BundleContext context; // null until activated: SCR binds the first contributors before

    @Activate
    synchronized void activate(BundleContext context) {
        this.context = context;
        contributors.forEach(this::register);
    }

    @Deactivate
    synchronized void deactivate() {
        checks.values().forEach(FelixHealthChecks::unregister);
        checks.clear();
        context = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addContributor(HealthContributor c, Map<String, Object> props) {
        contributors.put(c, props);
        if (context != null) {
            register(c, props);
        }
    }

    synchronized void removeContributor(HealthContributor c) {
        contributors.remove(c);
        unregister(checks.remove(c));
    }

    private void register(HealthContributor c, Map<String, Object> props) {
        String name = String.valueOf(props.getOrDefault(HealthChecks.NAME, props.get("component.name")));
        Object tags = props.get(HealthChecks.TAGS);
        Dictionary<String, Object> hc = new Hashtable<>();
        hc.put(HealthCheck.NAME, name);
        hc.put(HealthCheck.TAGS, tags != null ? tags : new String[] {HealthChecks.TAG_CPNS, HealthChecks.TAG_READINESS});
        checks.put(c, context.registerService(HealthCheck.class, new ContributorCheck(c, name), hc));
    }

    private static void unregister(ServiceRegistration<HealthCheck> r) {
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException gone) { // this bundle stopping
            }
        }
    }
}
