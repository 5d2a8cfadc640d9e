package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;

/**
 * Who sent a request, as the Server knows after authenticating the entity: the Entity ID proven
 * with its EUKey and the User ID stored with that key. Authorization uses both (TS §5.3.4).
 */
public record Principal(EntityId entity, EntityKind kind, UserId user) {
    /** Whether {@code owner} is this principal's user: the rule for acting on an entity. */
    public boolean owns(UserId owner) {
        return user.equals(owner);
    }
}
