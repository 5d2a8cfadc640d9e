package io.cpns.api.message;

import java.util.Objects;

/**
 * Opens the message-level secure session (TS §5.3.3.1.1): the initiator's random number and the
 * crypto suite it wants. The initiator's Entity ID is the envelope source.
 */
public record SessionHello(String suite, byte[] rand) implements Message {
    public SessionHello {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(rand, "rand");
    }
}
