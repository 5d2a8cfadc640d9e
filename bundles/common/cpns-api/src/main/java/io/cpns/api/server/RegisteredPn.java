package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import java.time.Instant;
import java.util.List;

/** A PN in the Server's PN Inventory (seed 004 step 11): registered once at least one PNE authenticated. */
public record RegisteredPn(String pnId, EntityId gateway, UserId owner, Instant created, List<EntityId> members) {
    public RegisteredPn {
        members = members == null ? List.of() : List.copyOf(members);
    }

    public boolean hasMember(EntityId pne) {
        return members.contains(pne);
    }
}
