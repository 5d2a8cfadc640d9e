package io.cpns.api.gateway;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The PN GW's PN Inventory, persisted (encrypted, atomic) so PNEs rejoin without a new establishment. */
@ProviderType
public interface PnInventory {
    List<PnRecord> pns();

    Optional<PnRecord> pn(String pnId);

    /** The PNs a PNE belongs to. */
    List<PnRecord> pnsOf(String pneId);
}
