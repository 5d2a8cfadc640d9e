package io.cpns.groupkey;

import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A PN GW's side of one Service Group's broadcast delivery: its {@link KeyTree} of the members that
 * receive by broadcast, and the signed messages that keep them current. Its owner serialises calls
 * per group and persists {@link #tree()} after each change.
 */
public final class GroupDistributor {
    /**
     * One change, ready to publish.
     *
     * @param broadcast the signed wire form of {@code content}
     * @param joined    members that joined the tree: each needs its welcome ({@link #pathOf}) by unicast
     * @param left      members that left the tree
     */
    public record Change(byte[] broadcast, GroupBroadcast content, List<String> joined, List<String> left) {
    }

    private final KeyTree tree;
    private final CryptoSuite suite;
    private final String sender;
    private final byte[] signingKey;
    private final BroadcastCodec codec = new BroadcastCodec();
    /** The last tree change: repeated while the tree stays as it is, so the retained message lets a member one change behind follow. */
    private List<Rekey> lastRekeys = List.of();

    public GroupDistributor(KeyTree tree, CryptoSuite suite, String sender, byte[] signingKey) {
        this.tree = tree;
        this.suite = suite;
        this.sender = sender;
        this.signingKey = signingKey;
    }

    public KeyTree tree() {
        return tree;
    }

    /**
     * Makes the tree's members exactly {@code members} (leaves first, so joiners take the freed
     * places), then wraps the Group Key of {@code keyEpoch} under the new tree key: one broadcast of
     * O(log N) wrapped keys per membership change, and of one wrapped key when only the Group Key
     * changed.
     */
    public Change update(Set<String> members, long keyEpoch, byte[] groupKey) {
        List<Rekey> rekeys = new ArrayList<>();
        List<String> left = tree.members().stream().filter(m -> !members.contains(m)).sorted().toList();
        List<String> joined = members.stream().filter(m -> !tree.has(m)).sorted().toList();
        for (String m : left) {
            rekeys.add(tree.leave(m));
        }
        for (String m : joined) {
            byte[] individual = Randoms.bytes(suite.keyLength());
            try {
                rekeys.add(tree.join(m, individual));
            } finally {
                Bytes.wipe(individual);
            }
        }
        if (!rekeys.isEmpty()) {
            lastRekeys = List.copyOf(rekeys);
        }
        GroupBroadcast content = state(lastRekeys, keyEpoch, groupKey);
        return new Change(codec.seal(content, signingKey), content, joined, left);
    }

    /** The Group Key again, under the current tree key, with the last tree change (e.g. to restore a retained message). */
    public byte[] current(long keyEpoch, byte[] groupKey) {
        return codec.seal(state(lastRekeys, keyEpoch, groupKey), signingKey);
    }

    /** {@code member}'s catch-up: its whole path wrapped under its individual key, and the Group Key. */
    public byte[] pathOf(String member, long keyEpoch, byte[] groupKey) {
        return codec.seal(state(List.of(tree.pathOf(member)), keyEpoch, groupKey), signingKey);
    }

    public Set<String> members() {
        return tree.members();
    }

    private GroupBroadcast state(Collection<Rekey> rekeys, long keyEpoch, byte[] groupKey) {
        byte[] treeKey = tree.rootKey();
        try {
            return new GroupBroadcast(tree.groupId(), sender, System.currentTimeMillis(), List.copyOf(rekeys), tree.epoch(), keyEpoch,
                    suite.wrap(treeKey, groupKey));
        } finally {
            Bytes.wipe(treeKey);
        }
    }
}
