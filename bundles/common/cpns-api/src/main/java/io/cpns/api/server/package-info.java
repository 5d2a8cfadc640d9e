/** Services of the reference CPNS Server. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.6.1")
package io.cpns.api.server;
