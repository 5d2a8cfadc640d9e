/**
 * The one dispatch mechanism of the PN GW and the Server: a whiteboard table from a
 * {@link io.cpns.api.message.MessageType} to the handler service registered for it, and the one
 * mapping from a handler's failure to the error that goes on the wire (docs/architecture.md,
 * "Dispatch").
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cpns.api.dispatch;
