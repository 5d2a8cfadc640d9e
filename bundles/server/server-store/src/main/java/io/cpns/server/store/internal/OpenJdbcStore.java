package io.cpns.server.store.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.cpns.server.store.GroupStore;
import io.cpns.server.store.KeyAssignmentStore;
import io.cpns.server.store.OpenStore;
import io.cpns.server.store.PnStore;
import io.cpns.server.store.UpdateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** A {@link JdbcServerStore} that owns its pool: the one construction path for the component and for tools. */
public final class OpenJdbcStore extends JdbcServerStore implements OpenStore {
    private final HikariDataSource pool;
    private final JdbcPnStore pnStore;
    private final JdbcGroupStore groupStore;
    private final JdbcKeyAssignmentStore keyAssignmentStore;
    private final JdbcUpdateStore updateStore;

    private OpenJdbcStore(HikariDataSource pool, String description) {
        super(new Sql(pool), description);
        this.pool = pool;
        this.pnStore = new JdbcPnStore(new Sql(pool));
        this.groupStore = new JdbcGroupStore(new Sql(pool));
        this.keyAssignmentStore = new JdbcKeyAssignmentStore(new Sql(pool));
        this.updateStore = new JdbcUpdateStore(new Sql(pool));
    }

    @Override
    public PnStore pnStore() {
        return pnStore;
    }

    @Override
    public GroupStore groupStore() {
        return groupStore;
    }

    @Override
    public KeyAssignmentStore keyAssignmentStore() {
        return keyAssignmentStore;
    }

    @Override
    public UpdateStore updateStore() {
        return updateStore;
    }

    public static OpenJdbcStore open(String url, String user, String password, int poolSize) throws SQLException {
        Optional<Path> h2File = H2Files.base(url);
        try {
            if (h2File.isPresent()) {
                H2Files.prepare(h2File.get());
            }
        } catch (IOException e) {
            throw new SQLException("cannot create the database directory of " + h2File.get() + ": " + e.getMessage(), e);
        }
        HikariDataSource pool = DataSources.pooled(url, user, password, poolSize);
        try (Connection c = pool.getConnection()) {
            Schema.migrate(c);
            if (h2File.isPresent()) {
                H2Files.secure(h2File.get()); // password hashes and PN data: owner-only, whatever the umask
            }
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        } catch (IOException e) {
            pool.close();
            throw new SQLException("cannot make the database files owner-only: " + e.getMessage(), e);
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
