/** Helpers for unit tests of DS components outside a framework (a recording PAN context, recording PNE and Server links for the gateway flows, a socat serial cable), and a local Mosquitto for tests and the load harness. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package io.cpns.testkit;
