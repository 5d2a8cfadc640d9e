package io.cpns.api.health;

/** The runtime's health: are all CPNS bundles active and all their components satisfied? */
public interface Health {
    HealthReport report();
}
