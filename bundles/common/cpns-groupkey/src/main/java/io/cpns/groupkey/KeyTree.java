package io.cpns.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key tree of one Service Group's members at one distributor (a PN GW for its PNEs): a binary
 * tree whose leaves are the members' individual keys and whose root key, the <em>tree key</em>,
 * is what the Group Key is delivered under (TS §5.3.2 broadcast delivery). Every change renews the
 * keys from the changed place up to the root and returns them as one {@link Rekey}: at most two
 * wrapped keys per level, so O(log N) for N members, instead of N unicasts.
 *
 * <p>Backward secrecy: a joining member's path gets fresh keys, so it never holds a key from before
 * it joined. Forward secrecy: a departing member's path gets fresh keys, each wrapped only under
 * keys it never held (its sibling subtrees and the fresh keys below). Not thread-safe by itself:
 * its owner serialises changes per group.
 */
public final class KeyTree {
    /** A tree node: a leaf (one member's individual key) or an inner node (up to two children). */
    private static final class Node {
        final int id;
        int version;
        byte[] key;
        Node parent;
        final List<Node> children = new ArrayList<>(2);
        final String member;

        Node(int id, byte[] key, String member) {
            this.id = id;
            this.key = key;
            this.member = member;
        }

        boolean leaf() {
            return member != null;
        }
    }

    private final String groupId;
    private final CryptoSuite suite;
    private final Map<String, Node> leaves = new HashMap<>();
    private final Node root;
    private int nextId = 1;
    private long epoch;

    /**
     * A tree as its owner persists it (encrypted at rest): every node, parents before children.
     * The keys are the live arrays' copies; the owner wipes them once written.
     */
    public record Snapshot(String groupId, long epoch, int nextId, List<NodeState> nodes) {
    }

    /** One node: {@code parent} -1 for the root, {@code member} null for an inner node. */
    public record NodeState(int id, int version, int parent, String member, byte[] key) {
    }

    /** A new tree with no member yet and a random tree key (epoch 0). */
    public KeyTree(String groupId, CryptoSuite suite) {
        this.groupId = groupId;
        this.suite = suite;
        this.root = new Node(0, Randoms.bytes(suite.keyLength()), null);
    }

    /** The tree a {@link #snapshot()} was taken of. */
    public static KeyTree restore(Snapshot s, CryptoSuite suite) {
        KeyTree t = new KeyTree(s.groupId(), suite);
        Map<Integer, Node> byId = new HashMap<>();
        for (NodeState n : s.nodes()) {
            Node node;
            if (n.parent() < 0) {
                node = t.root;
                Bytes.wipe(node.key);
                node.key = n.key().clone();
            } else {
                node = new Node(n.id(), n.key().clone(), n.member());
                Node parent = byId.get(n.parent());
                if (parent == null) {
                    throw new CpnsException(ErrorCode.INTERNAL, "key tree of " + s.groupId() + ": node " + n.id() + " before its parent");
                }
                attach(parent, node);
                if (node.leaf()) {
                    t.leaves.put(node.member, node);
                }
            }
            node.version = n.version();
            byId.put(n.id(), node);
        }
        t.epoch = s.epoch();
        t.nextId = s.nextId();
        return t;
    }

    /** Every node with a copy of its key (the caller wipes them). */
    public Snapshot snapshot() {
        List<NodeState> nodes = new ArrayList<>();
        ArrayDeque<Node> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            Node n = queue.poll();
            nodes.add(new NodeState(n.id, n.version, n.parent == null ? -1 : n.parent.id, n.member, n.key.clone()));
            queue.addAll(n.children);
        }
        return new Snapshot(groupId, epoch, nextId, nodes);
    }

    /** The members, in no particular order. */
    public java.util.Set<String> members() {
        return java.util.Set.copyOf(leaves.keySet());
    }

    public String groupId() {
        return groupId;
    }

    public long epoch() {
        return epoch;
    }

    public int size() {
        return leaves.size();
    }

    public boolean has(String member) {
        return leaves.containsKey(member);
    }

    /** A copy of the current root key, the tree key (the caller wipes it). */
    public byte[] rootKey() {
        return root.key.clone();
    }

    /**
     * Adds {@code member} with its individual key (which it already holds: delivered over its
     * unicast secure session) at the shallowest free place, and renews its path.
     *
     * @return the Rekey for everyone, the new member included (it opens its path with its own key)
     */
    public Rekey join(String member, byte[] individualKey) {
        if (leaves.containsKey(member)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, member + " is already a member of " + groupId);
        }
        if (individualKey.length != suite.keyLength()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "an individual key has " + suite.keyLength() + " bytes");
        }
        Node leaf = new Node(nextId++, individualKey.clone(), member);
        Node place = shallowestPlace();
        if (place.leaf()) { // split: an inner node takes the leaf's place, with the leaf and the newcomer below
            Node inner = new Node(nextId++, null, null);
            replace(place, inner);
            attach(inner, place);
            place = inner;
        }
        attach(place, leaf);
        leaves.put(member, leaf);
        return renewFrom(leaf.parent, List.of());
    }

    /** Removes {@code member} (it left or was expelled) and renews what it knew. */
    public Rekey leave(String member) {
        Node leaf = leaves.remove(member);
        if (leaf == null) {
            throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, member + " is not a member of " + groupId);
        }
        List<Integer> removed = new ArrayList<>(List.of(leaf.id));
        Node parent = leaf.parent;
        parent.children.remove(leaf);
        Bytes.wipe(leaf.key);
        Node from = parent;
        if (parent != root && parent.children.size() == 1) { // collapse: the sibling takes the parent's place
            Node sibling = parent.children.get(0);
            from = parent.parent;
            replace(parent, sibling);
            removed.add(parent.id);
            Bytes.wipe(parent.key);
        }
        return renewFrom(from, removed);
    }

    /** A new tree key for the same members (a periodic renewal): only the root changes. */
    public Rekey refresh() {
        return renewFrom(root, List.of());
    }

    /**
     * Everything {@code member} needs to hold the current tree key, each key of its path wrapped
     * under its individual key: for a new member's welcome and for one that missed Rekeys
     * (delivered by unicast; O(log N) too).
     */
    public Rekey pathOf(String member) {
        Node leaf = Optional.ofNullable(leaves.get(member)).orElseThrow(() ->
                new CpnsException(ErrorCode.UNKNOWN_ENTITY, member + " is not a member of " + groupId));
        List<WrappedKey> keys = new ArrayList<>();
        for (Node n = leaf.parent; n != null; n = n.parent) {
            keys.add(new WrappedKey(n.id, n.version, leaf.id, leaf.version, suite.wrap(leaf.key, n.key)));
        }
        return new Rekey(groupId, epoch, root.id, keys, List.of());
    }

    /** A copy of {@code member}'s individual key, for its welcome by unicast (the caller wipes it). */
    public byte[] leafKey(String member) {
        Node leaf = leaves.get(member);
        if (leaf == null) {
            throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, member + " is not a member of " + groupId);
        }
        return leaf.key.clone();
    }

    /** The leaf node of {@code member}, which its {@link MemberKeyRing} starts from. */
    public int leafOf(String member) {
        Node leaf = leaves.get(member);
        if (leaf == null) {
            throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, member + " is not a member of " + groupId);
        }
        return leaf.id;
    }

    /** Height of the tree (root alone: 0): the Rekey of a join or leave holds at most 2 × height keys. */
    public int height() {
        return height(root);
    }

    private int height(Node n) {
        int h = 0;
        for (Node c : n.children) {
            h = Math.max(h, 1 + height(c));
        }
        return h;
    }

    /** New keys from {@code from} up to the root, bottom up, each wrapped under each child's key. */
    private Rekey renewFrom(Node from, List<Integer> removed) {
        List<WrappedKey> keys = new ArrayList<>();
        for (Node n = from; n != null; n = n.parent) {
            if (n.key != null) {
                Bytes.wipe(n.key);
            }
            n.key = Randoms.bytes(suite.keyLength());
            n.version++;
            for (Node c : n.children) {
                keys.add(new WrappedKey(n.id, n.version, c.id, c.version, suite.wrap(c.key, n.key)));
            }
        }
        epoch++;
        return new Rekey(groupId, epoch, root.id, keys, removed);
    }

    /** Breadth first: the first inner node with room, or else the shallowest leaf (to split). */
    private Node shallowestPlace() {
        ArrayDeque<Node> queue = new ArrayDeque<>(List.of(root));
        while (true) {
            Node n = queue.poll();
            if (n.leaf() || n.children.size() < 2) {
                return n;
            }
            queue.addAll(n.children);
        }
    }

    private static void attach(Node parent, Node child) {
        parent.children.add(child);
        child.parent = parent;
    }

    private static void replace(Node old, Node by) {
        Node parent = old.parent;
        parent.children.set(parent.children.indexOf(old), by);
        by.parent = parent;
        old.parent = null;
    }
}
