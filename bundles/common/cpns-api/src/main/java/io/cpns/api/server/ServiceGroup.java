package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.LinkProtection;
import io.cpns.api.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Service Group on the CPNS Server: its owner, members and the epoch of its current Group Key
 * (TS §5.3.2). The key itself never leaves the Server's group registry in the clear.
 *
 * @param epoch          1 at creation, one more at each update of the Group Key
 * @param keyFingerprint a short, non-secret fingerprint of that key (operators compare it with the PN GWs')
 * @param keyManager     the PN GW that is the group's Group Key Manager (seed 003 §5.3.2, distributed
 *                       topology), or null: the Server's own CSKMF creates the keys (centralized)
 * @param minProtection  the least protection a member's link to its PN GW must have had when the
 *                       Server last registered it for the Server to deliver it the Group Key (seed 003:
 *                       "CPNS Server may check security level within PN"); {@code NONE}: no check
 */
public record ServiceGroup(String groupId, UserId owner, Instant created, long epoch, String keyFingerprint, List<EntityId> members,
                           EntityId keyManager, LinkProtection minProtection) {
    public ServiceGroup {
        members = members == null ? List.of() : List.copyOf(members);
        minProtection = minProtection == null ? LinkProtection.NONE : minProtection;
    }

    /** A group that requires no minimum protection. */
    public ServiceGroup(String groupId, UserId owner, Instant created, long epoch, String keyFingerprint, List<EntityId> members,
                        EntityId keyManager) {
        this(groupId, owner, created, epoch, keyFingerprint, members, keyManager, LinkProtection.NONE);
    }

    /** A centrally managed group. */
    public ServiceGroup(String groupId, UserId owner, Instant created, long epoch, String keyFingerprint, List<EntityId> members) {
        this(groupId, owner, created, epoch, keyFingerprint, members, null);
    }

    public Optional<EntityId> manager() {
        return Optional.ofNullable(keyManager);
    }

    public boolean hasMember(EntityId entity) {
        return members.contains(entity);
    }
}
