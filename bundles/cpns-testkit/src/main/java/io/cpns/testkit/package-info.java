/** Helpers for unit tests of DS components outside a framework. Test scope only. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cpns.testkit;
