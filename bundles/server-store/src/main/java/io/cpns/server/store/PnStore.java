package io.cpns.server.store;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.RegisteredPn;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The PN Inventory tables of the Server's database (schema version 3). */
public interface PnStore {
    /** Creates the PN if it does not exist yet (a large PN registers in batches). */
    void createPn(String pnId, EntityId gateway, UserId owner, Instant at);

    /** Adds a member; joining again keeps the first join time. */
    void addMember(String pnId, EntityId pne, Instant at);

    /** Removes a member; a PN left without members is deleted, as the PN GW's PN Inventory does. */
    boolean removeMember(String pnId, EntityId pne);

    Optional<RegisteredPn> pn(String pnId);

    List<RegisteredPn> pns();

    List<RegisteredPn> pnsOfGateway(EntityId gateway);
}
