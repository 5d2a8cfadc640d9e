/**
 * The PNE SDK: the PNE's half of every CPNS flow (discovery, EUKey assignment with UI, PN
 * Establishment in both roles, PNE-GW and PNE-Server secure sessions, relayed requests). A plain
 * Java library that is also an OSGi bundle. Start with {@link io.cpns.pne.PneClient}.
 */
@org.osgi.annotation.bundle.Export
// 2.0.0: PneConfig.keyAssignmentWindow removed; the PNE reads no clock in Key Assignment (issue 12)
// 2.1.0: PneClient.onGroupKeyDelete; group.membership; sendToGroup fetches a missing or stale Group Key (issue 12 §3)
// issue 13: no API change; the stages PneClient returns complete on the SDK's callback pool, never a reader thread
// 2.2.0: UdpTransport, the PNE side of the pan-udp adapter (issue 13 §4)
@org.osgi.annotation.versioning.Version("2.2.1")
package io.cpns.pne;
