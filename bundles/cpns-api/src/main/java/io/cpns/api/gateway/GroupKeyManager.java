package io.cpns.api.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * This PN GW as the Group Key Manager of Service Groups (seed 003 §5.3.2, distributed topology):
 * it creates their Group Keys when the Server's SMF asks ({@code group.key.create}) and registers
 * them on the Server, which relays them to the other PN GWs (indirect delivery). Its own member
 * PNEs get the key from here directly.
 */
public interface GroupKeyManager {
    /** A group managed here: the epoch of the last key created, and that key's fingerprint. */
    record ManagedGroup(String groupId, long epoch, String keyFingerprint, Instant created) {
    }

    List<ManagedGroup> managed();

    /** A copy of the key this PN GW created for {@code epoch} of the group, if it did (the caller wipes it). */
    Optional<byte[]> groupKey(String groupId, long epoch);
}
