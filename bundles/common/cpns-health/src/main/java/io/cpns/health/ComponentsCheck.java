package io.cpns.health;

import io.cpns.api.health.HealthContributor;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Concern "CPNS components": every DS component of the runtime's bundles enabled and satisfied, each
 * immediate one ACTIVE. Called on the caller's thread of a report; asks SCR for DTOs, never blocks.
 */
@Component(service = {HealthContributor.class, ComponentsCheck.class},
        property = {"hc.name=CPNS components", "hc.tags=cpns", "hc.tags=readiness"})
public class ComponentsCheck implements HealthContributor {
    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    @Activate
    public ComponentsCheck(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (ComponentDescriptionDTO d : descriptions()) {
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
        return problems;
    }

    int count() {
        return descriptions().size();
    }

    private java.util.Collection<ComponentDescriptionDTO> descriptions() {
        List<Bundle> parts = Parts.of(context);
        // no part (yet): SCR reads an empty array as "every bundle's components", which must not count
        return parts.isEmpty() ? List.of() : scr.getComponentDescriptionDTOs(parts.toArray(new Bundle[0]));
    }
}
