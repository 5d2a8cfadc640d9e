/** Readiness and health of a CPNS runtime (gateway or server). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.1")
package io.cpns.api.health;
