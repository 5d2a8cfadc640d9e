/**
 * The wire encoding of CPNS messages (docs/protocol.md): each message is one CBOR (RFC 8949) data
 * item, produced and parsed by Jackson's CBOR data format; on stream transports each message is
 * one length-prefixed frame with a hard size limit.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.1")
package io.cpns.codec;
