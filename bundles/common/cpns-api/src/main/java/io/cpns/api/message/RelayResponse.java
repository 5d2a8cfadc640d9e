package io.cpns.api.message;

import java.util.Objects;

/** The Server's protected answer to a {@link Relay}, carried back to the PNE. */
public record RelayResponse(byte[] envelope) implements Message {
    public RelayResponse {
        Objects.requireNonNull(envelope, "envelope");
    }
}
