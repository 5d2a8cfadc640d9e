package io.cpns.server.store;

import io.cpns.api.EntityId;
import io.cpns.api.LinkProtection;
import io.cpns.api.UserId;
import io.cpns.api.server.ServiceGroup;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The Service Group tables (schema versions 4, 5 and 9). A Group Key arrives sealed by the caller, and a
 * membership change and the key of the new epoch are written in one transaction: no moment
 * exists where a departed member's key is still the group's.
 */
@ProviderType
public interface GroupStore {
    /** The sealed Group Key of a group's current epoch. */
    record SealedGroupKey(long epoch, byte[] sealed) {
    }

    /** A group's current epoch and when its key was stored: the key age the periodic update counts from (TS §5.3.2). */
    record KeyTime(String groupId, long epoch, Instant updated) {
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

    /** Every group's {@link KeyTime}, by group ID. */
    List<KeyTime> keyTimes();

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
    default boolean updateKey(String groupId, long epoch, byte[] sealedKey, String keyFingerprint) {
        return updateKey(groupId, epoch, sealedKey, keyFingerprint, Instant.now());
    }

    /** As {@link #updateKey(String, long, byte[], String)}, the key made {@code at} (its age counts from there). */
    boolean updateKey(String groupId, long epoch, byte[] sealedKey, String keyFingerprint, Instant at);

    /** A new Group Key Manager (null: the Server) and the key of {@code epoch} it created, if the group is at {@code epoch - 1}. */
    default boolean assignKeyManager(String groupId, EntityId keyManager, long epoch, byte[] sealedKey, String keyFingerprint) {
        return assignKeyManager(groupId, keyManager, epoch, sealedKey, keyFingerprint, Instant.now());
    }

    /** As {@link #assignKeyManager(String, EntityId, long, byte[], String)}, the key made {@code at}. */
    boolean assignKeyManager(String groupId, EntityId keyManager, long epoch, byte[] sealedKey, String keyFingerprint, Instant at);

    /**
     * The group's minimum protection for Group Key delivery (schema version 9; {@code NONE}: none)
     * and the key of {@code epoch} delivered under it, if the group is at {@code epoch - 1}.
     */
    default boolean requireProtection(String groupId, LinkProtection minimum, long epoch, byte[] sealedKey, String keyFingerprint) {
        return requireProtection(groupId, minimum, epoch, sealedKey, keyFingerprint, Instant.now());
    }

    /** As {@link #requireProtection(String, LinkProtection, long, byte[], String)}, the key made {@code at}. */
    boolean requireProtection(String groupId, LinkProtection minimum, long epoch, byte[] sealedKey, String keyFingerprint, Instant at);
}
