package io.cpns.server.store;

import io.cpns.server.store.internal.OpenJdbcStore;

/**
 * Opens a {@link ServerStore} outside OSGi (tools, tests): pooled, schema migrated. The only API class that reaches
 * into {@code internal}; nothing in {@code internal} imports it.
 */
public final class JdbcStores {
    private JdbcStores() {
    }

    /** @param url {@code jdbc:h2:...} or {@code jdbc:postgresql:...} */
    public static OpenStore open(String url, String user, String password, int poolSize) throws java.sql.SQLException {
        return OpenJdbcStore.open(url, user, password, poolSize);
    }
}
