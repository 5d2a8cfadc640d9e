package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * PN Establishment Notify, PN GW to a PNE that joined (seed 004 §5.2.1.1 step 15, §5.2.1.2 steps 15-16).
 *
 * @param inventory      the PN Inventory, or its first page when {@code inventoryTotal} is larger
 * @param inventoryTotal members in the whole PN Inventory (0: {@code inventory} is all of it);
 *                       the rest comes with {@link PnInventoryRequest}
 */
public record PnEstablishNotify(String pnId, List<PnMember> inventory, byte[] hashServer, int inventoryTotal) implements Message {
    public PnEstablishNotify {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(hashServer, "hashServer");
        inventory = Maps.of(inventory);
    }

    /** With the whole PN Inventory. */
    public PnEstablishNotify(String pnId, List<PnMember> inventory, byte[] hashServer) {
        this(pnId, inventory, hashServer, 0);
    }
}
