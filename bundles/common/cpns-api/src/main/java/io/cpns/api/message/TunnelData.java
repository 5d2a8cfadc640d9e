package io.cpns.api.message;

import java.util.Objects;

/** Opaque bytes of the tunnelled TLS stream, in order. */
public record TunnelData(byte[] data) implements Message {
    public TunnelData {
        Objects.requireNonNull(data, "data");
    }
}
