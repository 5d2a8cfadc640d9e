package io.cpns.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;

/**
 * A member's side of one Service Group's broadcast delivery: its key ring, the PN GW's signing key,
 * and the Group Key it holds. It takes signed broadcasts (MQTT) and catch-ups (unicast) in any
 * order and any number of times; what it already has changes nothing.
 */
public final class BroadcastMember {
    /** What a broadcast or catch-up did. {@code groupKey} is a copy the caller wipes. */
    public record Update(Kind kind, long keyEpoch, byte[] groupKey) {
        public enum Kind { NEW_KEY, NOTHING_NEW, REMOVED }
    }

    private final String groupId;
    private final CryptoSuite suite;
    private final byte[] signer;
    private final MemberKeyRing ring;
    private final BroadcastCodec codec = new BroadcastCodec();
    private long keyEpoch = -1;

    public BroadcastMember(String groupId, CryptoSuite suite, byte[] signer, int leaf, byte[] individualKey) {
        this.groupId = groupId;
        this.suite = suite;
        this.signer = signer.clone();
        this.ring = new MemberKeyRing(groupId, suite, leaf, individualKey);
    }

    public String groupId() {
        return groupId;
    }

    public synchronized long treeEpoch() {
        return ring.epoch();
    }

    /**
     * A broadcast from the group's topic.
     *
     * @throws CpnsException {@code UNEXPECTED_MESSAGE} if Rekeys were missed: ask the PN GW for a
     *         catch-up ({@code group.tree.req}); {@code BAD_SIGNATURE}, {@code BAD_MAC},
     *         {@code MALFORMED} for a message not from the PN GW or damaged
     */
    public synchronized Update onBroadcast(byte[] wire) {
        GroupBroadcast b = codec.open(wire, signer, groupId);
        if (b.treeEpoch() < ring.epoch()) {
            return nothing(); // an older broadcast (a retained one after a reconnect, or a replay)
        }
        for (Rekey r : b.rekeys()) {
            if (r.epoch() <= ring.epoch()) {
                continue;
            }
            if (!ring.apply(r)) { // UNEXPECTED_MESSAGE on a gap
                return removed();
            }
        }
        return groupKeyOf(b);
    }

    /** The member's path from its PN GW (by unicast, over a protected link): any newer state. */
    public synchronized Update catchUp(byte[] wire) {
        GroupBroadcast b = codec.open(wire, signer, groupId);
        for (Rekey path : b.rekeys()) {
            if (path.epoch() > ring.epoch() && !ring.catchUp(path)) {
                return removed();
            }
        }
        return groupKeyOf(b);
    }

    private Update groupKeyOf(GroupBroadcast b) {
        if (ring.epoch() != b.treeEpoch()) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "Group Key of " + groupId + " under tree epoch " + b.treeEpoch()
                    + ", this member is at " + ring.epoch() + "; catch up by unicast");
        }
        if (b.keyEpoch() <= keyEpoch) {
            return nothing();
        }
        byte[] treeKey = ring.rootKey().orElseThrow(() -> new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "no tree key of " + groupId));
        try {
            byte[] groupKey = suite.unwrap(treeKey, b.wrappedKey()); // BAD_MAC if tampered
            keyEpoch = b.keyEpoch();
            return new Update(Update.Kind.NEW_KEY, keyEpoch, groupKey);
        } finally {
            Bytes.wipe(treeKey);
        }
    }

    private Update nothing() {
        return new Update(Update.Kind.NOTHING_NEW, keyEpoch, null);
    }

    private Update removed() {
        return new Update(Update.Kind.REMOVED, keyEpoch, null);
    }
}
