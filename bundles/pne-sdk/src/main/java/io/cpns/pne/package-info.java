/**
 * The PNE SDK: the PNE's half of every CPNS flow (discovery, EUKey assignment with UI, PN
 * Establishment in both roles, PNE-GW and PNE-Server secure sessions, relayed requests). A plain
 * Java library that is also an OSGi bundle. Start with {@link io.cpns.pne.PneClient}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cpns.pne;
