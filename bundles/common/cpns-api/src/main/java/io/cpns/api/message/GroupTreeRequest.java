package io.cpns.api.message;

import java.util.Objects;

/**
 * PNE to its PN GW: its {@link GroupTree} for a group, e.g. after it missed a broadcast Rekey
 * (catch-up without a rejoin). Answered with {@code group.tree}, on a protected link only.
 */
public record GroupTreeRequest(String groupId) implements Message {
    public GroupTreeRequest {
        Objects.requireNonNull(groupId, "groupId");
    }
}
