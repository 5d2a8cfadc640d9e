/**
 * Signed remote updates of a PN GW (issue 11; docs/updates.md): the release manifest, the
 * root-signed document of release keys, and the states and failures an update agent reports.
 * These types are the contract between the operator's tool, the CPNS Server and the gateway's
 * update agent; their wire form (canonical CBOR) is specified in docs/updates.md.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cpns.api.update;
