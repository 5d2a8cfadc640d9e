/**
 * Crypto suites: what the seeds call Hash, MAC, encryption, key wrapping and session-key
 * derivation, composed from standard primitives of the Bouncy Castle lightweight API (no JCA
 * provider registration, so nothing global changes when this bundle starts or stops).
 * Formulas and byte layouts: docs/security.md "Crypto suites".
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.1")
package io.cpns.crypto;
