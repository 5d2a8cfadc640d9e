package io.cpns.groupkey;

import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;

/**
 * One sender's protection of messages to a Service Group under the Group Key of one epoch
 * (TS §5.3.3.2: MAC and encryption with the Group Key). Thread-safe; {@link #close} wipes the key.
 */
public final class GroupSealer implements AutoCloseable {
    private final String groupId;
    private final String sender;
    private final long epoch;
    private final AeadCipher cipher;
    private long counter;

    /**
     * The counter starts at the wall clock in milliseconds × 1024, so a sender that restarts within
     * an epoch does not reuse a nonce unless its clock went back (or it sent over 1024 messages a
     * millisecond on average).
     */
    public GroupSealer(CryptoSuite suite, String groupId, long epoch, byte[] groupKey, String sender) {
        this.groupId = groupId;
        this.sender = sender;
        this.epoch = epoch;
        byte[] k = GroupKeys.senderKey(suite, groupKey, groupId, epoch, sender);
        try {
            this.cipher = suite.aead(k);
        } finally {
            Bytes.wipe(k);
        }
        this.counter = System.currentTimeMillis() << 10;
    }

    public long epoch() {
        return epoch;
    }

    public synchronized GroupMessage seal(byte[] plaintext) {
        long c = ++counter;
        GroupMessage header = new GroupMessage(groupId, sender, epoch, c, new byte[0]);
        return new GroupMessage(groupId, sender, epoch, c, cipher.seal(GroupKeys.nonce(c), GroupKeys.aad(header), plaintext));
    }

    @Override
    public void close() {
        cipher.close();
    }
}
