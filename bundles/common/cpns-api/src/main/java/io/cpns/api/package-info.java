/** Identifiers and errors shared by every CPNS entity. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.6.0")
package io.cpns.api;
