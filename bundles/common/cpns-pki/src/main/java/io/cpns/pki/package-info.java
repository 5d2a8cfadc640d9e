/**
 * Certificates for the bootstrap TLS of the CPNS Server: a development operator CA and a server
 * certificate it issues, generated on first start when the operator configured none.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cpns.pki;
