package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * Server to PN GW, answering {@link GroupKeyRequest} (seed 003 B.2.1.1 step 10): as {@link GroupKeyPush}.
 * Also a Group Key Manager PN GW to the Server, answering {@link GroupKeyCreate}: the key it created
 * ({@code members} empty), registered on the Server for indirect delivery.
 */
public record GroupKey(String groupId, long epoch, List<String> members, byte[] groupKey) implements Message {
    public GroupKey {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(groupKey, "groupKey");
        members = Maps.of(members);
    }
}
