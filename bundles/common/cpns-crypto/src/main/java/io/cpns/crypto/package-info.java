/**
 * Crypto suites: what the seeds call Hash, MAC, encryption, key wrapping and session-key
 * derivation, composed from standard primitives of the Bouncy Castle lightweight API (no JCA
 * provider registration, so nothing global changes when this bundle starts or stops).
 * Formulas and byte layouts: docs/security.md "Crypto suites". 2.0.0: {@code Bytes.hex/unhex} removed,
 * {@link java.util.HexFormat} does it (issue 14 §5).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.cpns.crypto;
