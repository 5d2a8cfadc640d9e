/**
 * Signed remote updates on the CPNS Server (issue 11, docs/updates.md §5): publishing releases,
 * rollouts in waves, offers over the gateways' sessions, statuses and inventories. The
 * operator's shell and tests use {@link io.cpns.server.update.UpdateService}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cpns.server.update;
