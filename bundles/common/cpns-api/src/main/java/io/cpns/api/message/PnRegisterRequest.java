package io.cpns.api.message;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * PN Registration Request, PN GW to CPNS Server (seed 004 §5.2.1.1 step 4, §5.2.1.2 step 5). A
 * large PN is registered in batches; each batch has its own rand_server.
 *
 * @param pnId                the PN
 * @param batch               batch number within this registration, from 1
 * @param gatewayCapabilities Capability information of the PN GW's device
 * @param subscription        Subscription information
 * @param pnes                PNE Info with rand_PNE of each PNE
 */
public record PnRegisterRequest(String pnId, int batch, Map<String, String> gatewayCapabilities,
                                Map<String, String> subscription, List<PnePresence> pnes) implements Message {
    public PnRegisterRequest {
        Objects.requireNonNull(pnId, "pnId");
        gatewayCapabilities = Maps.of(gatewayCapabilities);
        subscription = Maps.of(subscription);
        pnes = Maps.of(pnes);
    }
}
