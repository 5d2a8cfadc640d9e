package io.cpns.server.store;

import io.cpns.api.EntityId;
import io.cpns.api.LinkProtection;
import io.cpns.api.UserId;
import io.cpns.api.server.ServiceGroup;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The Service Group tables (schema versions 4, 5 and 9). A Group Key arrives sealed by the caller, and a
 * membership change and the key of the new epoch are written in one transaction: no moment
 * exists where a departed member's key is still the group's.
 */
public interface GroupStore {
    /** The sealed Group Key of a group's current epoch. */
    record SealedGroupKey(long epoch, byte[] sealed) {
    }

    /** @return false if the group ID is taken */
    default boolean createGroup(String groupId, UserId owner, Instant at, byte[] sealedKeyOfEpoch1, String keyFingerprint) {
        return createGroup(groupId, owner, at, sealedKeyOfEpoch1, keyFingerprint, null);
    }

    /** As {@link #createGroup(String, UserId, Instant, byte[], String)}, its keys created by the PN GW {@code keyManager} (null: the Server). */
    boolean createGroup(String groupId, UserId owner, Instant at, byte[] sealedKeyOfEpoch1, String keyFingerprint, EntityId keyManager);

    boolean deleteGroup(String groupId);

    Optional<ServiceGroup> group(String groupId);

    List<ServiceGroup> groups();

    List<ServiceGroup> groupsOf(EntityId member);

    Optional<SealedGroupKey> groupKey(String groupId);

    /**
     * Adds ({@code join}) or removes a member and stores the key of {@code epoch}, atomically, if
     * the group is still at {@code epoch - 1} (else nothing changes: a concurrent update won).
     *
     * @return false if nothing changed (no such group, member already in / not in, epoch moved)
     */
    default boolean changeMembers(String groupId, EntityId member, boolean join, Instant at, long epoch, byte[] sealedKey,
                                  String keyFingerprint) {
        return changeMembers(groupId, List.of(member), join, at, epoch, sealedKey, keyFingerprint);
    }

    /** As {@link #changeMembers(String, EntityId, boolean, Instant, long, byte[], String)} for several members at once: all or none. */
    boolean changeMembers(String groupId, List<EntityId> members, boolean join, Instant at, long epoch, byte[] sealedKey,
                          String keyFingerprint);

    /** Stores the key of {@code epoch} if the group is at {@code epoch - 1}. */
    boolean updateKey(String groupId, long epoch, byte[] sealedKey, String keyFingerprint);

    /** A new Group Key Manager (null: the Server) and the key of {@code epoch} it created, if the group is at {@code epoch - 1}. */
    boolean assignKeyManager(String groupId, EntityId keyManager, long epoch, byte[] sealedKey, String keyFingerprint);

    /**
     * The group's minimum protection for Group Key delivery (schema version 9; {@code NONE}: none)
     * and the key of {@code epoch} delivered under it, if the group is at {@code epoch - 1}.
     */
    boolean requireProtection(String groupId, LinkProtection minimum, long epoch, byte[] sealedKey, String keyFingerprint);
}
