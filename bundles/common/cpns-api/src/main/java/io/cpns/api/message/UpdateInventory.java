package io.cpns.api.message;

import java.util.Objects;

/** PN GW to Server, answering {@link UpdateInventoryRequest}. */
public record UpdateInventory(GatewayInventory inventory) implements Message {
    public UpdateInventory {
        Objects.requireNonNull(inventory, "inventory");
    }
}
