package io.cpns.api.message;

import java.util.Objects;

/**
 * ID & Password Installation Request (seed 001 §7.x.2.2.1), PN GW to PNE on a protected link: the
 * user's ID and the password encrypted with PSK2 ({@code encPassword} = AES-GCM under a key derived
 * from the link's key, docs/keyassignment.md §4). Answered with {@code ack}.
 */
public record KaInstallRequest(String userId, String suite, byte[] nonce, byte[] encPassword) implements Message {
    public KaInstallRequest {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(encPassword, "encPassword");
    }
}
