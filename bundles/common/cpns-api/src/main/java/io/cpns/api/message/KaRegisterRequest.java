package io.cpns.api.message;

import java.util.Map;
import java.util.Objects;

/**
 * Subscription & Registration Request (seed 001 §7.x.2.1.1), PN GW to Server: the user's ID, the
 * password encrypted with PSK1 ({@code encPassword} = AES-GCM under a key derived from the PN
 * GW's EUKey, docs/keyassignment.md §4) and the subscription information. Answered with {@code ack}.
 */
public record KaRegisterRequest(String userId, byte[] nonce, byte[] encPassword, Map<String, String> subscription) implements OnBehalf {
    public KaRegisterRequest {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(encPassword, "encPassword");
        subscription = Maps.of(subscription);
    }
}
