package io.cpns.api.message;

import java.util.Objects;

/**
 * PN GW to a member PNE that receives its Group Key by broadcast (TS §5.3.2; docs/groupkey.md §6),
 * over its protected link only: everything it needs to follow the group's MQTT broadcasts.
 *
 * @param topic         the MQTT topic the PN GW broadcasts this group's Group Key on
 * @param broker        where the PNE connects (e.g. {@code tcp://192.168.1.1:1883})
 * @param username      the PNE's broker user name (its Entity ID)
 * @param password      the PNE's broker password, derived by the PN GW for this PNE
 * @param signer        the PN GW's Ed25519 public key: every broadcast of the group is signed with it
 * @param leaf          the PNE's leaf in the group's key tree
 * @param individualKey the PNE's individual key (the leaf's key), shared with the PN GW only
 * @param state         the PNE's path and the Group Key: a signed broadcast (docs/protocol.md §4.6)
 */
public record GroupTree(String groupId, String topic, String broker, String username, byte[] password, byte[] signer,
                        int leaf, byte[] individualKey, byte[] state) implements Message {
    public GroupTree {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(individualKey, "individualKey");
        Objects.requireNonNull(state, "state");
    }
}
