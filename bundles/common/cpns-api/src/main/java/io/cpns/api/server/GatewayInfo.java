package io.cpns.api.server;

import io.cpns.api.EntityId;
import java.time.Instant;
import java.util.Map;

/** PN GW Info as the Server last received it in a PN Registration Request (seed 004 step 4): device capabilities and subscription. */
public record GatewayInfo(EntityId gateway, Map<String, String> capabilities, Map<String, String> subscription, Instant reported) {
    public GatewayInfo {
        capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
        subscription = subscription == null ? Map.of() : Map.copyOf(subscription);
    }
}
