package io.cpns.api.health;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The runtime's health: are all CPNS bundles active, all their components satisfied, and does no
 * {@link HealthContributor} tagged {@link HealthChecks#TAG_READINESS} report a problem? The same answer
 * is the {@link HealthChecks#READY} condition service, for consumers that wait rather than ask.
 */
@ProviderType
public interface Health {
    HealthReport report();
}
