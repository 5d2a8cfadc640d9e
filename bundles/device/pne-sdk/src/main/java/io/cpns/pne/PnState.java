package io.cpns.pne;

import io.cpns.api.message.PnMember;
import java.util.List;

/**
 * A PN this PNE is in, as the PN GW reported it (seed 004 steps 14-15).
 *
 * @param serverAuthenticated hash_server verified: the CPNS Server proved it holds this PNE's EUKey
 */
public record PnState(String pnId, List<PnMember> inventory, boolean serverAuthenticated) {
    public PnState {
        inventory = inventory == null ? List.of() : List.copyOf(inventory);
    }
}
