package io.cpns.api.message;

import java.util.Objects;

/** Asks the Server about one entity; allowed only for entities of the requester's own user (TS §5.3.4). */
public record EntityInfoRequest(String entityId) implements Message {
    public EntityInfoRequest {
        Objects.requireNonNull(entityId, "entityId");
    }
}
