package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * Server to PN GW: a Service Group changed (seed 003 B.2.1.1 step 7, pull delivery): its epoch
 * and its members in this PN GW's PNs. The PN GW pulls the Group Key with {@link GroupKeyRequest}
 * if it does not hold that epoch; {@code deleted}: the group and its key are gone (TS §5.3.2).
 */
public record GroupNotify(String groupId, long epoch, List<String> members, boolean deleted) implements Message {
    public GroupNotify {
        Objects.requireNonNull(groupId, "groupId");
        members = Maps.of(members);
    }
}
