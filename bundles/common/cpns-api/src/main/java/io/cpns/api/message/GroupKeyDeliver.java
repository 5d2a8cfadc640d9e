package io.cpns.api.message;

import java.util.Objects;

/**
 * PN GW to a member PNE: the Group Key of {@code epoch} (TS §5.3.2 unicast delivery), only on a
 * protected link (PNE–GW session, PSK-TLS, or a secure PAN).
 */
public record GroupKeyDeliver(String groupId, long epoch, byte[] groupKey) implements Message {
    public GroupKeyDeliver {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(groupKey, "groupKey");
    }
}
