package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * PN Registration Response, Server to PN GW (seed 004 §5.2.1.1 step 12).
 *
 * @param registered the PN is registered in the Server's PN Inventory (at least one PNE authenticated)
 */
public record PnRegisterResponse(String pnId, int batch, boolean registered, List<PneVerdict> results) implements Message {
    public PnRegisterResponse {
        Objects.requireNonNull(pnId, "pnId");
        results = Maps.of(results);
    }
}
