package io.cpns.api.message;

/** Server to PN GW: what do you run? Answered with {@link UpdateInventory}. */
public record UpdateInventoryRequest() implements Message {
}
