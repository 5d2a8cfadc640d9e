package io.cpns.api.message;

import java.util.Objects;

/**
 * Key Assignment Request (seed 001 §7.x.2.3.2), PNE to PN GW, relayed by the PN GW to the Server
 * with {@code pneId} set to the PNE it came from: ID, RANDPNE, Time (seconds since the epoch) and
 * the user authentication data, computed in {@code suite}. Answered with {@link KaResponse}.
 */
public record KaRequest(String pneId, String userId, String suite, byte[] randPne, long time, byte[] auth) implements OnBehalf {
    public KaRequest {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(randPne, "randPne");
        Objects.requireNonNull(auth, "auth");
        pneId = pneId == null ? "" : pneId;
    }
}
