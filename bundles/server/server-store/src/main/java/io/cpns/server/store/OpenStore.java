package io.cpns.server.store;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A {@link ServerStore} that owns its connection pool, opened outside OSGi by {@link JdbcStores#open}; close it to
 * release the pool. A top-level type (not nested in {@code JdbcStores}) so the implementation in {@code internal}
 * imports only API types and the imports between the two packages go one way.
 */
@ProviderType
public interface OpenStore extends ServerStore, AutoCloseable {
    /** The PN Inventory tables of the same database. */
    PnStore pnStore();

    /** The Service Group tables of the same database. */
    GroupStore groupStore();

    /** The Key Assignment tables of the same database. */
    KeyAssignmentStore keyAssignmentStore();

    /** The update tables (releases, rollouts, statuses, inventories) of the same database. */
    UpdateStore updateStore();

    @Override
    void close();
}
