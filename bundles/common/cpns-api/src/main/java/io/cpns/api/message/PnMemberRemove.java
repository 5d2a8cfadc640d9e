package io.cpns.api.message;

import java.util.Objects;

/**
 * The PN GW takes a PNE out of a PN; the Server updates its PN Inventory.
 *
 * @param expel true (or absent, as PN GWs before it send it): the operator expelled the PNE, and
 *              the Server also takes it out of every Service Group with a new Group Key (TS
 *              §5.3.2); false: the PNE's registration in that PN was not completed at the PN GW
 *              (the Server's answer was lost to a crash), it leaves that PN only
 */
public record PnMemberRemove(String pnId, String pneId, Boolean expel) implements Message {
    public PnMemberRemove {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(pneId, "pneId");
    }

    /** An expel. */
    public PnMemberRemove(String pnId, String pneId) {
        this(pnId, pneId, true);
    }

    /** Whether the Server also takes the PNE out of every Service Group. */
    public boolean expelled() {
        return expel == null || expel;
    }
}
