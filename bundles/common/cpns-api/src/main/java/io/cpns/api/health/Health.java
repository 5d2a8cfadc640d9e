package io.cpns.api.health;

import org.osgi.annotation.versioning.ProviderType;

/** The runtime's health: are all CPNS bundles active and all their components satisfied? */
@ProviderType
public interface Health {
    HealthReport report();
}
