/** The CPNS Server's persistent data, behind one JDBC-backed service. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.1")
package io.cpns.server.store;
