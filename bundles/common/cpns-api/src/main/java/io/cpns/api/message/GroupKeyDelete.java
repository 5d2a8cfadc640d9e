package io.cpns.api.message;

import java.util.Objects;

/**
 * PN GW to a PNE: the group was deleted or the PNE is no longer a member: delete its Group Key
 * (TS §5.3.2). Also Server to a Group Key Manager PN GW (seed 003 §5.3.2): the group was deleted or
 * is no longer managed there, forget the key it created.
 */
public record GroupKeyDelete(String groupId) implements Message {
    public GroupKeyDelete {
        Objects.requireNonNull(groupId, "groupId");
    }
}
