package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * PN Setup Response, PN GW to the initiating PNE (seed 004 §5.2.1.1 step 14).
 *
 * @param pnId          the PN
 * @param authenticated the CPNS Server authenticated this PNE
 * @param inventory     the PN Inventory (empty if not authenticated)
 * @param hashServer    hash_server for this PNE, which it verifies to authenticate the Server
 * @param inventoryTotal members in the whole PN Inventory (0: {@code inventory} is all of it);
 *                       the rest comes with {@link PnInventoryRequest}
 */
public record PnSetupResponse(String pnId, boolean authenticated, List<PnMember> inventory, byte[] hashServer, int inventoryTotal)
        implements Message {
    public PnSetupResponse {
        Objects.requireNonNull(pnId, "pnId");
        inventory = Maps.of(inventory);
    }

    /** With the whole PN Inventory. */
    public PnSetupResponse(String pnId, boolean authenticated, List<PnMember> inventory, byte[] hashServer) {
        this(pnId, authenticated, inventory, hashServer, 0);
    }
}
