package io.cpns.server.store;

import io.cpns.server.store.internal.OpenJdbcStore;

/** Opens a {@link ServerStore} outside OSGi (tools, tests): pooled, schema migrated. */
public final class JdbcStores {
    private JdbcStores() {
    }

    /** A store that owns its connection pool; close it to release the pool. */
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

    /** @param url {@code jdbc:h2:...} or {@code jdbc:postgresql:...} */
    public static OpenStore open(String url, String user, String password, int poolSize) throws java.sql.SQLException {
        return OpenJdbcStore.open(url, user, password, poolSize);
    }
}
