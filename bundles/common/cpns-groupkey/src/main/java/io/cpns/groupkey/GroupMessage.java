package io.cpns.groupkey;

import java.util.Objects;

/**
 * A message to a Service Group protected with its Group Key (TS §5.3.3.2): AES-GCM under the
 * sender's key of the epoch (docs/groupkey.md §5), the header fields authenticated as AAD.
 *
 * @param sender  Entity ID of the sending member (or the Server, or the PN GW)
 * @param epoch   the Group Key's epoch it was sealed under
 * @param counter the sender's message counter in that epoch: the nonce, and the replay check
 */
public record GroupMessage(String groupId, String sender, long epoch, long counter, byte[] ciphertext) {
    public GroupMessage {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(ciphertext, "ciphertext");
    }
}
