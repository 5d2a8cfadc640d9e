package io.cpns.api.message;

import java.util.Objects;

/**
 * PN Setup Notify, PN GW to a PNE invited into a PN (seed 004 §5.2.1.1 step 2). In the PN GW
 * initiated flow (§5.2.1.2 steps 1-2, "PN Setup Request") the initiator is the PN GW itself.
 */
public record PnSetupNotify(String pnId, String initiator) implements Message {
    public PnSetupNotify {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(initiator, "initiator");
    }
}
