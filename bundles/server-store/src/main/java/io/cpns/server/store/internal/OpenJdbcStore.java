package io.cpns.server.store.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.cpns.server.store.JdbcStores;
import java.sql.Connection;
import java.sql.SQLException;

/** A {@link JdbcServerStore} that owns its pool: the one construction path for the component and for tools. */
public final class OpenJdbcStore extends JdbcServerStore implements JdbcStores.OpenStore {
    private final HikariDataSource pool;
    private final JdbcPnStore pnStore;
    private final JdbcGroupStore groupStore;
    private final JdbcKeyAssignmentStore keyAssignmentStore;

    private OpenJdbcStore(HikariDataSource pool, String description) {
        super(new Sql(pool), description);
        this.pool = pool;
        this.pnStore = new JdbcPnStore(new Sql(pool));
        this.groupStore = new JdbcGroupStore(new Sql(pool));
        this.keyAssignmentStore = new JdbcKeyAssignmentStore(new Sql(pool));
    }

    @Override
    public io.cpns.server.store.PnStore pnStore() {
        return pnStore;
    }

    @Override
    public io.cpns.server.store.GroupStore groupStore() {
        return groupStore;
    }

    @Override
    public io.cpns.server.store.KeyAssignmentStore keyAssignmentStore() {
        return keyAssignmentStore;
    }

    public static OpenJdbcStore open(String url, String user, String password, int poolSize) throws SQLException {
        HikariDataSource pool = DataSources.pooled(url, user, password, poolSize);
        try (Connection c = pool.getConnection()) {
            Schema.migrate(c);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
        return new OpenJdbcStore(pool, DataSources.redact(url));
    }

    public int schemaVersion() {
        return Schema.VERSIONS.size();
    }

    @Override
    public void close() {
        pool.close();
    }
}
