package io.cpns.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The public inputs of one mutual authentication (TS §5.3.3.1.1; seed 004 steps 8-12): who
 * initiated, who responded, and the two random numbers (rand_PNE / rand_server in seed 004).
 */
public record Transcript(String initiatorId, String responderId, byte[] randI, byte[] randR) {
    public Transcript {
        Objects.requireNonNull(initiatorId);
        Objects.requireNonNull(responderId);
        Objects.requireNonNull(randI);
        Objects.requireNonNull(randR);
    }

    /** {@code lp(initiatorId) | lp(responderId) | lp(randI) | lp(randR)} (lp = 2-byte length prefix). */
    public byte[] encoded() {
        return Bytes.lengthPrefixed(initiatorId.getBytes(StandardCharsets.UTF_8),
                responderId.getBytes(StandardCharsets.UTF_8), randI, randR);
    }
}
