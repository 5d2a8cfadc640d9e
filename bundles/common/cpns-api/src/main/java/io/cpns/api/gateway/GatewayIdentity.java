package io.cpns.api.gateway;

import io.cpns.api.EntityId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This PN GW's Entity ID. Its own small service (bundle gw-identity), so the server link and the
 * PNE links both depend on something that never changes while they run.
 */
@ProviderType
public interface GatewayIdentity {
    EntityId id();

    /** Secret-store alias of this PN GW's EUKey. */
    default String euKeyAlias() {
        return KeyStoreAliases.euKey(id());
    }
}
