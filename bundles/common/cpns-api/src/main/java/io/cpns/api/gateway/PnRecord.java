package io.cpns.api.gateway;

import java.time.Instant;
import java.util.List;

/** A Personal Network in the PN GW's PN Inventory (seed 004 steps 4 and 13). */
public record PnRecord(String pnId, String initiator, Instant established, List<PnMemberRecord> members) {
    public PnRecord {
        members = members == null ? List.of() : List.copyOf(members);
    }

    public boolean hasMember(String pneId) {
        return members.stream().anyMatch(m -> m.pneId().equals(pneId));
    }
}
