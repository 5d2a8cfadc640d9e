package io.cpns.server.store;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.GatewayInfo;
import io.cpns.api.server.PneInfo;
import io.cpns.api.server.RegisteredPn;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The PN Inventory tables of the Server's database (schema versions 3, 8 and 9). */
@ProviderType
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

    /**
     * A PNE's SK_PNE in a PN (seed 004 step 12) with its counters, as the database keeps it: the key
     * sealed by the caller, {@code sendLimit} the end of the last reserved range of send counters,
     * {@code received} the highest receive counter accepted.
     */
    record PneSession(String pnId, EntityId pne, String suite, byte[] sealedKey, long sendLimit, long received, Instant established) {
    }

    /**
     * Stores a member's new session, replacing the one it had in that PN (a new PN Establishment).
     *
     * @return false if the PNE is not a member of the PN (nothing stored)
     */
    boolean putSession(PneSession session);

    Optional<PneSession> session(String pnId, EntityId pne);

    /**
     * Raises the stored send limit to {@code limit} (never lowers it).
     *
     * @return false if there is no such session any more
     */
    boolean reserveSend(String pnId, EntityId pne, long limit);

    /**
     * Raises the stored receive counter to {@code seq} (never lowers it).
     *
     * @return false if there is no such session any more
     */
    boolean received(String pnId, EntityId pne, long seq);

    /** @return true if there was a session */
    boolean deleteSession(String pnId, EntityId pne);

    /** Replaces the PNE Info kept for {@code info.pne()} (its capabilities all at once). */
    void putPneInfo(PneInfo info);

    Optional<PneInfo> pneInfo(EntityId pne);

    /** Replaces the PN GW Info kept for {@code info.gateway()}. */
    void putGatewayInfo(GatewayInfo info);

    Optional<GatewayInfo> gatewayInfo(EntityId gateway);
}
