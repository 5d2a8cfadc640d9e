package io.cpns.api.gateway;

import java.time.Instant;
import java.util.List;

/**
 * A Service Group as this PN GW holds it (TS §5.3.2): the epoch of the Group Key it holds and the
 * group's members in its PNs. The key itself stays inside gw-groupkey.
 */
public record GatewayGroup(String groupId, long epoch, String keyFingerprint, List<String> members, Instant received) {
    public GatewayGroup {
        members = members == null ? List.of() : List.copyOf(members);
    }
}
