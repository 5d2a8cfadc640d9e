package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Service Groups and their Group Keys on the CPNS Server (TS §5.3.2): the key is created with
 * the group, updated when a member joins (so it cannot read what came before), leaves or is
 * expelled (so it cannot read what comes after) and periodically, and deleted with the group.
 * Members are PNEs of the group owner's CPNS User (TS §5.3.4: authorization by Entity ID and
 * User ID).
 */
@ProviderType
public interface GroupRegistry {
    /**
     * @throws io.cpns.api.CpnsException {@code INVALID_ARGUMENT} for a malformed or taken group ID,
     *         {@code UNKNOWN_ENTITY} for an unknown owner
     */
    ServiceGroup create(String groupId, UserId owner);

    /**
     * A group whose Group Keys are created by the PN GW {@code keyManager} (seed 003 §5.3.2,
     * distributed topology; null: by the Server). The manager creates the key of epoch 1 now.
     *
     * @throws io.cpns.api.CpnsException as {@link #create(String, UserId)}; {@code UNKNOWN_ENTITY} or
     *         {@code FORBIDDEN} for a manager that is not a PN GW of the owner; {@code UNAVAILABLE}
     *         if the manager cannot be reached, or its typed refusal: then no group is created
     */
    ServiceGroup create(String groupId, UserId owner, EntityId keyManager);

    /**
     * Hands the group's Group Key management to the PN GW {@code keyManager}, or back to the
     * Server (null). The new manager creates the next epoch's key, delivered to every member.
     * Once managed, every key change (join, leave, expel, update) needs the manager: if it cannot
     * be reached the change fails with {@code UNAVAILABLE} and nothing changes.
     */
    ServiceGroup assignKeyManager(String groupId, EntityId keyManager);

    /** Deletes the group and its Group Key; returns whether it existed. */
    boolean delete(String groupId);

    /**
     * @throws io.cpns.api.CpnsException {@code UNKNOWN_GROUP}, {@code UNKNOWN_ENTITY},
     *         {@code FORBIDDEN} (not a PNE of the owner), {@code INVALID_ARGUMENT} (already a member)
     */
    ServiceGroup join(String groupId, EntityId pne);

    /**
     * Several PNEs join at once, under one new Group Key (e.g. a household's devices added
     * together): all or none, with the errors of {@link #join(String, EntityId)}.
     */
    ServiceGroup join(String groupId, List<EntityId> pnes);

    /** The member's own choice. @throws io.cpns.api.CpnsException {@code UNKNOWN_ENTITY} if not a member */
    ServiceGroup leave(String groupId, EntityId pne);

    /** The owner's or operator's decision; same effect as {@link #leave}, logged as an expulsion. */
    ServiceGroup expel(String groupId, EntityId pne);

    /** A new Group Key for the same members (periodic update). */
    ServiceGroup update(String groupId);

    /**
     * Sets the least link protection a member must have had when last registered in a PN
     * ({@link PneInfo#protection()}) for the Server to deliver it the Group Key (seed 003: "CPNS
     * Server may check security level within PN"); {@code NONE} lifts the requirement. The group
     * gets a new Group Key at once, delivered to the members that meet it: one that does not cannot
     * read what comes after.
     *
     * @throws io.cpns.api.CpnsException {@code UNKNOWN_GROUP}; {@code UNAVAILABLE} if the group's Group Key
     *         Manager cannot be reached (then nothing changes)
     */
    ServiceGroup requireProtection(String groupId, io.cpns.api.LinkProtection minimum);

    /**
     * A message to the group from the CPNS Server (TS §5.3.3.2), sealed with its current Group Key
     * in the Server's name and relayed by each PN GW with members to them.
     *
     * @return the number of PN GWs it was sent to
     */
    int send(String groupId, byte[] payload);

    Optional<ServiceGroup> group(String groupId);

    List<ServiceGroup> groups();

    List<ServiceGroup> groupsOf(EntityId member);
}
