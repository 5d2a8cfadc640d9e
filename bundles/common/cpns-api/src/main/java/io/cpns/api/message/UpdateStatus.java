package io.cpns.api.message;

import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import java.util.Objects;

/**
 * PN GW to Server: where an offered release stands (docs/updates.md §3). Idempotent: the Server
 * keeps one row per (gateway, rollout, state) and acknowledges a repeat like the first. A terminal
 * state is persisted by the gateway and sent again after every reconnect until acknowledged.
 *
 * @param failure why (REFUSED, FAILED, ROLLED_BACK), else null
 * @param detail  a short printable text for the operator (at most 160 characters), or null
 * @param at      Unix time (milliseconds) on the gateway when it entered the state
 */
public record UpdateStatus(String rolloutId, long releaseSeq, UpdateState state, UpdateFailure failure, String detail,
        long at) implements Message {
    public UpdateStatus {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(state, "state");
    }
}
