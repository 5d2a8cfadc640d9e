package io.cpns.api.message;

import java.util.Objects;

/** PN GW to Server, unasked: after every change of its bundles and after each authentication. Answered with {@link Ack}. */
public record UpdateInventoryReport(GatewayInventory inventory) implements Message {
    public UpdateInventoryReport {
        Objects.requireNonNull(inventory, "inventory");
    }
}
