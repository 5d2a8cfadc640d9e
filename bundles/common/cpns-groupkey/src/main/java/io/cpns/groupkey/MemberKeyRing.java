package io.cpns.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A member's keys of one Service Group's tree: its individual key (leaf) and the keys of its path
 * to the root, the last being the tree key (under which the Group Key arrives). It opens whatever
 * part of a {@link Rekey} it can and ignores the rest; after a Rekey that leaves it out (it was
 * removed) it holds no key of the tree.
 */
public final class MemberKeyRing {
    private record Held(int version, byte[] key) {
    }

    private final String groupId;
    private final CryptoSuite suite;
    private final Map<Integer, Held> keys = new HashMap<>();
    private long epoch = -1;
    private int root = -1;

    /** @param leaf the member's leaf node ({@link KeyTree#leafOf}), whose key is its individual key */
    public MemberKeyRing(String groupId, CryptoSuite suite, int leaf, byte[] individualKey) {
        this.groupId = groupId;
        this.suite = suite;
        keys.put(leaf, new Held(0, individualKey.clone()));
    }

    public synchronized long epoch() {
        return epoch;
    }

    /** A copy of the tree key (root) of {@link #epoch()}, if this member holds it. */
    public synchronized Optional<byte[]> rootKey() {
        Held h = keys.get(root);
        return h == null ? Optional.empty() : Optional.of(h.key().clone());
    }

    /**
     * A broadcast Rekey: must be the next epoch. A later one means Rekeys were missed: the member
     * asks for its path by unicast ({@link #catchUp}).
     *
     * @return whether this member holds the new tree key (false: it is no longer a member)
     * @throws CpnsException {@code REPLAY} for an epoch already applied, {@code UNEXPECTED_MESSAGE}
     *         for a gap, {@code INVALID_ARGUMENT} for another group
     */
    public synchronized boolean apply(Rekey r) {
        check(r);
        if (epoch >= 0 && r.epoch() != epoch + 1) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "Rekey epoch " + r.epoch() + " of " + groupId
                    + " after " + epoch + ": missed " + (r.epoch() - epoch - 1) + "; catch up by unicast");
        }
        return open(r);
    }

    /** The member's path from the manager (welcome, or after missed Rekeys): any newer epoch. */
    public synchronized boolean catchUp(Rekey path) {
        check(path);
        return open(path);
    }

    private void check(Rekey r) {
        if (!r.groupId().equals(groupId)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "Rekey for " + r.groupId() + ", not " + groupId);
        }
        if (r.epoch() <= epoch) {
            throw new CpnsException(ErrorCode.REPLAY, "Rekey epoch " + r.epoch() + " of " + groupId + " already applied");
        }
    }

    /** Bottom up: each key this member can open makes the next one openable. */
    private boolean open(Rekey r) {
        for (WrappedKey w : r.keys()) {
            Held under = keys.get(w.underNode());
            if (under == null || under.version() != w.underVersion()) {
                continue; // not on this member's path
            }
            byte[] k = suite.unwrap(under.key(), w.wrapped()); // BAD_MAC if tampered
            Held old = keys.put(w.node(), new Held(w.version(), k));
            if (old != null) {
                Bytes.wipe(old.key());
            }
        }
        for (int gone : r.removed()) {
            Held old = keys.remove(gone);
            if (old != null) {
                Bytes.wipe(old.key());
            }
        }
        Held top = keys.get(r.root());
        int newest = r.keys().stream().filter(w -> w.node() == r.root()).mapToInt(WrappedKey::version).max().orElse(-1);
        if (top == null || top.version() != newest) { // the new tree key was not wrapped for us: no longer a member
            keys.values().forEach(h -> Bytes.wipe(h.key()));
            keys.clear();
            root = -1;
            return false;
        }
        epoch = r.epoch();
        root = r.root();
        return true;
    }
}
