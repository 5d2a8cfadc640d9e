package io.cpns.api.message;

import java.util.Objects;

/**
 * PNE to its PN GW: the PN Inventory of a PN it belongs to, from member {@code from} on. A PN
 * Inventory too large for one frame arrives in pages (seed 004 steps 14-15 carry the first).
 */
public record PnInventoryRequest(String pnId, int from) implements Message {
    public PnInventoryRequest {
        Objects.requireNonNull(pnId, "pnId");
    }
}
