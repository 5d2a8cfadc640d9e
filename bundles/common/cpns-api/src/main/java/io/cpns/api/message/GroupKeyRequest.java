package io.cpns.api.message;

import java.util.Objects;

/** PN GW to Server: the current Group Key of a Service Group with members in its PNs (seed 003 B.2.1.1 step 9). */
public record GroupKeyRequest(String groupId) implements Message {
    public GroupKeyRequest {
        Objects.requireNonNull(groupId, "groupId");
    }
}
