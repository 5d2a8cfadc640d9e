package io.cpns.api.message;

import io.cpns.api.EntityKind;
import java.util.Objects;

/** What the Server knows of an entity: its kind and owning user (never its key). */
public record EntityInfo(String entityId, EntityKind kind, String userId) implements Message {
    public EntityInfo {
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(userId, "userId");
    }
}
