/** Services a PN GW offers to other bundles and to the box's own applications. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package io.cpns.api.gateway;
