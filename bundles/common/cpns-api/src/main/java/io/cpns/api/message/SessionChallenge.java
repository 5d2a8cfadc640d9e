package io.cpns.api.message;

import java.util.Objects;

/** The responder's random number and the suite it accepted (TS §5.3.3.1.1). */
public record SessionChallenge(String suite, byte[] rand) implements Message {
    public SessionChallenge {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(rand, "rand");
    }
}
