/**
 * The message-level secure session of TS §5.3.3.1.1: PSK mutual authentication from two random
 * numbers (seed 004 steps 8-12), session-key sharing, and MAC + encryption of protected messages.
 * Independent of transport, so the same classes protect GW-Server, PNE-GW and (relayed through
 * the GW) PNE-Server messages.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.cpns.session;
