package io.cpns.api.message;

import java.util.Objects;

/** The responder proves it holds the PSK: the seed's {@code hash_server} (seed 004 step 12). */
public record SessionConfirm(byte[] proof) implements Message {
    public SessionConfirm {
        Objects.requireNonNull(proof, "proof");
    }
}
