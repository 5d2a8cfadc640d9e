/** Helpers for unit tests of DS components outside a framework, and a local Mosquitto for tests and the load harness. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.cpns.testkit;
