package io.cpns.api.message;

import io.cpns.api.EntityKind;
import java.util.Map;
import java.util.Objects;

/**
 * CPNS Entity Discovery (seed 004 step 0): an entity looking for PN GWs. Sent as a datagram
 * (multicast or unicast) on IP PANs, as the first frame on point-to-point PANs.
 *
 * @param kind         the sender's kind (PNE)
 * @param capabilities Device Capabilities of the sender (free-form)
 */
public record DiscoveryQuery(EntityKind kind, Map<String, String> capabilities) implements Message {
    public DiscoveryQuery {
        Objects.requireNonNull(kind, "kind");
        capabilities = Maps.of(capabilities);
    }
}
