package io.cpns.groupkey;

import java.util.List;
import java.util.Objects;

/**
 * One change of a Service Group's key tree: the new keys of the changed path, bottom up, each
 * wrapped under the keys of its children. The tree key of {@code epoch} is the key of node
 * {@code root}.
 *
 * @param epoch   the tree's version: one more than the previous Rekey's
 * @param removed nodes gone from the tree (a departed member's leaf, a collapsed parent)
 */
public record Rekey(String groupId, long epoch, int root, List<WrappedKey> keys, List<Integer> removed) {
    public Rekey {
        Objects.requireNonNull(groupId, "groupId");
        keys = List.copyOf(keys);
        removed = List.copyOf(removed);
    }
}
