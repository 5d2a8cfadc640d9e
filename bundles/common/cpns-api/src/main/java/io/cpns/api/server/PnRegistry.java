package io.cpns.api.server;

import io.cpns.api.EntityId;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The Server's PN Inventory, read-only, for operators and other flows. */
@ProviderType
public interface PnRegistry {
    List<RegisteredPn> pns();

    Optional<RegisteredPn> pn(String pnId);

    List<RegisteredPn> pnsOfGateway(EntityId gateway);

    /** The PNE Info of the last PN Registration in which {@code pne} authenticated. */
    Optional<PneInfo> pneInfo(EntityId pne);

    /** The PN GW Info of the last PN Registration Request of {@code gateway}. */
    Optional<GatewayInfo> gatewayInfo(EntityId gateway);
}
