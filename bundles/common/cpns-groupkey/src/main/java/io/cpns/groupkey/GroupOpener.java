package io.cpns.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import java.util.HashMap;
import java.util.Map;

/**
 * A receiver's check of messages to a Service Group (TS §5.3.3.2): only the current epoch, each
 * sender's counters once (a 64-message window for reordering), MAC before anything is believed.
 * Thread-safe.
 */
public final class GroupOpener implements AutoCloseable {
    /** Counters seen from one sender in this epoch: the highest, and a bitmap of the 64 below it. */
    private static final class Window {
        long highest;
        long seen;
        final AeadCipher cipher;

        Window(AeadCipher cipher) {
            this.cipher = cipher;
        }

        boolean fresh(long c) {
            return c > highest || (highest - c < 64 && (seen & (1L << (highest - c))) == 0);
        }

        void mark(long c) {
            if (c > highest) {
                long shift = c - highest;
                seen = shift >= 64 ? 0 : seen << shift;
                highest = c;
            }
            seen |= 1L << (highest - c);
        }
    }

    private final CryptoSuite suite;
    private final String groupId;
    private final Map<String, Window> senders = new HashMap<>();
    private long epoch = -1;
    private byte[] groupKey;

    public GroupOpener(CryptoSuite suite, String groupId) {
        this.suite = suite;
        this.groupId = groupId;
    }

    /** The Group Key of a new epoch: messages of older epochs are refused from now on. */
    public synchronized void rekeyed(long newEpoch, byte[] newGroupKey) {
        if (newEpoch <= epoch) {
            throw new CpnsException(ErrorCode.REPLAY, "epoch " + newEpoch + " of " + groupId + " is not newer than " + epoch);
        }
        clear();
        epoch = newEpoch;
        groupKey = newGroupKey.clone();
    }

    /**
     * @throws CpnsException {@code INVALID_ARGUMENT} for another group, {@code UNEXPECTED_MESSAGE}
     *         for another epoch (an older one: the sender is behind; a newer one: this receiver
     *         missed a Rekey), {@code REPLAY} for a counter already seen or below the window,
     *         {@code BAD_MAC} if not sealed with this epoch's Group Key by that sender
     */
    public synchronized byte[] open(GroupMessage m) {
        if (!m.groupId().equals(groupId)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "message for " + m.groupId() + ", not " + groupId);
        }
        if (groupKey == null || m.epoch() != epoch) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "message of epoch " + m.epoch() + " to " + groupId
                    + "; this member is at " + epoch);
        }
        Window w = senders.get(m.sender());
        boolean known = w != null;
        if (!known) { // kept only once a message of that sender verifies: forged names cost no memory
            byte[] k = GroupKeys.senderKey(suite, groupKey, groupId, epoch, m.sender());
            try {
                w = new Window(suite.aead(k));
            } finally {
                Bytes.wipe(k);
            }
        }
        if (!w.fresh(m.counter())) {
            throw new CpnsException(ErrorCode.REPLAY, "message " + m.counter() + " from " + m.sender() + " already seen");
        }
        byte[] plain;
        try {
            plain = w.cipher.open(GroupKeys.nonce(m.counter()), GroupKeys.aad(m), m.ciphertext()); // BAD_MAC
        } catch (CpnsException e) {
            if (!known) {
                w.cipher.close();
            }
            throw e;
        }
        w.mark(m.counter());
        if (!known) {
            senders.put(m.sender(), w);
        }
        return plain;
    }

    /** Senders with a verified message in this epoch. */
    synchronized int knownSenders() {
        return senders.size();
    }

    @Override
    public synchronized void close() {
        clear();
    }

    private void clear() {
        senders.values().forEach(w -> w.cipher.close());
        senders.clear();
        if (groupKey != null) {
            Bytes.wipe(groupKey);
            groupKey = null;
        }
    }
}
