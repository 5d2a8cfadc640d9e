package io.cpns.api.message;

import java.util.Objects;

/** PN GW to a PNE: the group was deleted or the PNE is no longer a member: delete its Group Key (TS §5.3.2). */
public record GroupKeyDelete(String groupId) implements Message {
    public GroupKeyDelete {
        Objects.requireNonNull(groupId, "groupId");
    }
}
