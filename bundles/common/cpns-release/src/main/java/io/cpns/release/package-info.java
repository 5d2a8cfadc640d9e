/**
 * Signed releases (issue 11, docs/updates.md §2): the canonical CBOR of release manifests and
 * release keys documents ({@link io.cpns.release.ReleaseCodec}), their Ed25519 signatures
 * ({@link io.cpns.release.Ed25519}), the checks a gateway makes on an offer in their fixed order
 * ({@link io.cpns.release.ReleaseVerifier}) and on each downloaded jar
 * ({@link io.cpns.release.BundleCheck}). Plain classes without state or services, used alike by
 * the gateway's update agent, the CPNS Server and the operator's {@code bin/cpns-release}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cpns.release;
