package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * Server to PN GW: the Group Key of {@code epoch} and the group's members in this PN GW's PNs
 * (seed 003 B.2.1.2, push delivery). Carried only inside the PN GW's secure session.
 */
public record GroupKeyPush(String groupId, long epoch, List<String> members, byte[] groupKey) implements Message {
    public GroupKeyPush {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(groupKey, "groupKey");
        members = Maps.of(members);
    }
}
