/** Services a PN GW offers to other bundles and to the box's own applications. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.1")
package io.cpns.api.gateway;
