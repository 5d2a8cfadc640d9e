package io.cpns.api.message;

import java.util.List;

/** The entities of the requester's user. */
public record EntityList(List<EntityInfo> entities) implements Message {
    public EntityList {
        entities = entities == null ? List.of() : List.copyOf(entities);
    }
}
