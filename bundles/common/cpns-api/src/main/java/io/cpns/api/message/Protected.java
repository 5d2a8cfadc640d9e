package io.cpns.api.message;

import java.util.Objects;

/**
 * A message protected by a secure session (TS §5.3.3.1.1 "Message protection"): the inner
 * envelope encrypted and authenticated with the session key. {@code seq} is the sender's
 * message counter in this session, starting at 1; a receiver accepts only increasing values.
 */
public record Protected(long seq, byte[] ct) implements Message {
    public Protected {
        Objects.requireNonNull(ct, "ct");
    }
}
