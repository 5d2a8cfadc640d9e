package io.cpns.api.message;

import java.util.Objects;

/**
 * A CPNS message to a Service Group (TS §5.3.3.2): from a member PNE to its PN GW, from the PN GW
 * to the other members, and between PN GWs through the Server for members elsewhere.
 * Normally sealed with the Group Key: {@code ciphertext} is AES-GCM under the sender's key of
 * {@code epoch}, {@code counter} its nonce and replay check (docs/groupkey.md §4). Only a PN GW
 * sends {@code plaintext} instead, and only to a member the §5.3.3.2 exemption applies to (on a
 * secure PAN, the PN GW using a credential module); then {@code epoch} and {@code counter} are
 * those of the sealed message it came as. Exactly one of the two is present.
 */
public record GroupMsg(String groupId, String sender, long epoch, long counter, byte[] ciphertext, byte[] plaintext) implements Message {
    public GroupMsg {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(sender, "sender");
        if ((ciphertext == null) == (plaintext == null)) {
            throw new IllegalArgumentException("a group message has either a ciphertext or a plaintext");
        }
    }

    public boolean sealed() {
        return ciphertext != null;
    }
}
