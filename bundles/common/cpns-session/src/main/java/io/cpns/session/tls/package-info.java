/**
 * TLS for CPNS transports on Bouncy Castle's TLS API: TLS 1.3 with an external PSK (EUKey or
 * LocalEUKey as PSK, the entity's ID as PSK identity; TS §5.3.3.1.1, seed 004 "PSK-TLS") and,
 * for bootstrap before any EUKey exists, TLS 1.3 with a server certificate checked against the
 * operator's CA (docs/security.md "Bootstrap").
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.cpns.session.tls;
