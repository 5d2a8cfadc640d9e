package io.cpns.codec;

/**
 * Framing on stream transports (TCP, TLS): each message is a 4-byte big-endian unsigned length
 * followed by that many bytes of CBOR. Zero-length and over-limit frames are protocol errors.
 */
public final class Framing {
    /** Default largest frame: 64 KiB, far above any CPNS message of this protocol version. */
    public static final int DEFAULT_MAX_FRAME = 64 * 1024;
    /** No configuration may raise the limit above this (1 MiB): bounds memory per connection. */
    public static final int HARD_MAX_FRAME = 1024 * 1024;
    public static final int HEADER_LENGTH = 4;

    private Framing() {
    }

    /** Clamps a configured limit into [256 bytes, {@link #HARD_MAX_FRAME}]. */
    public static int clamp(int configured) {
        return Math.max(256, Math.min(configured, HARD_MAX_FRAME));
    }
}
