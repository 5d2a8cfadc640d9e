/** CPNS additions to the Moquette 0.17 broker wrapped by this bundle. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cpns.moquette;
