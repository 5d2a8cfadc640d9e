package io.cpns.api.gateway;

import java.time.Instant;

/**
 * A Service Group's broadcast delivery at this PN GW: its key tree and its last broadcast.
 *
 * @param treeEpoch   changes of the tree so far
 * @param members     members in the tree (those that receive by broadcast)
 * @param height      the tree's height: a join or leave costs at most 2 × height wrapped keys
 * @param lastBytes   size of the last broadcast on the wire (signed CBOR, without MQTT framing)
 * @param lastWrapped wrapped keys in it
 * @param at          when it was made
 */
public record GroupBroadcastInfo(String topic, long treeEpoch, int members, int height, int lastBytes, int lastWrapped, Instant at) {
}
