/** The CPNS message model: one record per message, wrapped in an {@link io.cpns.api.message.Envelope}. Wire encoding: docs/protocol.md. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package io.cpns.api.message;
