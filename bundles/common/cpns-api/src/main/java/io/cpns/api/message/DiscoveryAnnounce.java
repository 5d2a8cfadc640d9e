package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/** A PN GW answering discovery, or announcing itself (seed 004 step 0). */
public record DiscoveryAnnounce(String gatewayId, List<PanAccess> access) implements Message {
    public DiscoveryAnnounce {
        Objects.requireNonNull(gatewayId, "gatewayId");
        access = Maps.of(access);
    }
}
