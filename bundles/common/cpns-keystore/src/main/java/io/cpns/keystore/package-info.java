/** A file-backed {@link io.cpns.api.store.SecretStore}, usable inside OSGi (as a service) and outside (PNE SDK). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.cpns.keystore;
