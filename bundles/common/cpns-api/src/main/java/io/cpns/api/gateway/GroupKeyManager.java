package io.cpns.api.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This PN GW as the Group Key Manager of Service Groups (seed 003 §5.3.2, distributed topology):
 * it creates their Group Keys when the Server's SMF asks ({@code group.key.create}) and registers
 * them on the Server, which relays them to the other PN GWs (indirect delivery). Its own member
 * PNEs get the key from here directly.
 */
@ProviderType
public interface GroupKeyManager {
    /** A group managed here: the epoch of the last key created, and that key's fingerprint. */
    record ManagedGroup(String groupId, long epoch, String keyFingerprint, Instant created) {
    }

    List<ManagedGroup> managed();

    /** A copy of the key this PN GW created for {@code epoch} of the group, if it did (the caller wipes it). */
    Optional<byte[]> groupKey(String groupId, long epoch);

    /**
     * Renews the group's Group Key here now and registers it on the Server, which relays it to the
     * members as any other epoch (seed 003 §5.3.2: "CSKMF itself can trigger Group Key update, after
     * which it alerts SMF"). Blocks until the Server has stored it.
     *
     * @return the group with its new epoch
     * @throws io.cpns.api.CpnsException {@code FORBIDDEN} / {@code UNKNOWN_GROUP} if not managed here, {@code UNAVAILABLE} without
     *                                   a link, {@code BUSY} while the Server is changing the group (that change renews the key),
     *                                   the Server's refusal otherwise
     */
    ManagedGroup rekey(String groupId);
}
