package io.cpns.groupkey;

import java.util.List;
import java.util.Objects;

/**
 * What a PN GW broadcasts on a Service Group's topic (docs/groupkey.md §6, protocol.md §4.6): the
 * Rekeys since its previous broadcast, then the Group Key of {@code keyEpoch} wrapped under the
 * tree key of {@code treeEpoch}. The same shape, with the member's path as its only Rekey, is a
 * member's unicast catch-up. It always travels signed ({@link BroadcastCodec}).
 *
 * @param sender     the PN GW's Entity ID
 * @param time       when it was made (ms since the epoch), for operators; replay is decided by epochs
 * @param rekeys     consecutive tree epochs, ending at {@code treeEpoch} (empty: the tree did not change)
 * @param wrappedKey the Group Key, AES key wrapped (RFC 3394) under the tree key of {@code treeEpoch}
 */
public record GroupBroadcast(String groupId, String sender, long time, List<Rekey> rekeys, long treeEpoch, long keyEpoch,
                             byte[] wrappedKey) {
    public GroupBroadcast {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(wrappedKey, "wrappedKey");
        rekeys = rekeys == null ? List.of() : List.copyOf(rekeys);
    }

    /** How many wrapped keys it carries: the Rekeys' and the Group Key. */
    public int wrappedKeys() {
        return 1 + rekeys.stream().mapToInt(r -> r.keys().size()).sum();
    }
}
