package io.cpns.api.server;

import io.cpns.api.EntityId;
import java.util.List;
import java.util.Optional;

/** The Server's PN Inventory, read-only, for operators and other flows. */
public interface PnRegistry {
    List<RegisteredPn> pns();

    Optional<RegisteredPn> pn(String pnId);

    List<RegisteredPn> pnsOfGateway(EntityId gateway);
}
