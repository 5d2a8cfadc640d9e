package io.cpns.api.message;

import java.util.Objects;

/** The PN GW removed a PNE from a PN (operator expel); the Server updates its PN Inventory. */
public record PnMemberRemove(String pnId, String pneId) implements Message {
    public PnMemberRemove {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(pneId, "pneId");
    }
}
