package io.cpns.groupkey;

import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Primitives;
import java.nio.charset.StandardCharsets;

/** The key derivations and layouts of group message protection, in one place (docs/groupkey.md §5). */
final class GroupKeys {
    private static final byte[] SENDER_LABEL = "CPNS-v1 group sender".getBytes(StandardCharsets.US_ASCII);

    private GroupKeys() {
    }

    /**
     * {@code HKDF-SHA256(salt = len|groupId | epoch(8), IKM = GroupKey, info = "CPNS-v1 group sender" | len|sender)}:
     * one AEAD key per sender and epoch, so counters of different senders never share a nonce space.
     */
    static byte[] senderKey(CryptoSuite suite, byte[] groupKey, String groupId, long epoch, String sender) {
        byte[] salt = Bytes.concat(Bytes.lengthPrefixed(utf8(groupId)), Bytes.longBE(epoch));
        byte[] info = Bytes.concat(SENDER_LABEL, Bytes.lengthPrefixed(utf8(sender)));
        return Primitives.hkdfSha256(salt, groupKey, info, suite.keyLength());
    }

    /** 12-byte nonce: four zero bytes, then the counter big-endian. */
    static byte[] nonce(long counter) {
        return Bytes.concat(new byte[4], Bytes.longBE(counter));
    }

    /** AAD: every header field, length-prefixed. */
    static byte[] aad(GroupMessage m) {
        return Bytes.lengthPrefixed(utf8(m.groupId()), utf8(m.sender()), Bytes.longBE(m.epoch()), Bytes.longBE(m.counter()));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
