package io.cpns.gw.pan;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The Entity IDs no PNE may use: the PN GW's, {@code cpns.broadcast}, and every ID the CPNS Server
 * was known by (gw-link's default {@code cpns-server}, and each server link's, remembered: a PNE may
 * not take the Server's ID while gw-link is away).
 */
final class ReservedIds {
    /** gw-link's default {@code serverId}: reserved even before (and while) no server link is bound. */
    static final EntityId DEFAULT_SERVER_ID = EntityId.of("cpns-server");

    private final EntityId gatewayId;
    private final Set<EntityId> serverIds = new CopyOnWriteArraySet<>(Set.of(DEFAULT_SERVER_ID));

    ReservedIds(EntityId gatewayId) {
        this.gatewayId = gatewayId;
    }

    /** A server link was bound: its Server's ID stays reserved after it goes. */
    void server(EntityId serverId) {
        serverIds.add(serverId);
    }

    boolean reserved(EntityId id) {
        return id.equals(gatewayId) || id.equals(EntityId.BROADCAST) || serverIds.contains(id);
    }

    /** As {@link #reserved(EntityId)}; a string that is no Entity ID is not reserved (it simply has no key). */
    boolean reserved(String id) {
        try {
            return reserved(EntityId.of(id));
        } catch (CpnsException notAnId) {
            return false;
        }
    }
}
