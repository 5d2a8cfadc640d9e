/** Secret storage: encrypted at rest, atomic writes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.1")
package io.cpns.api.store;
