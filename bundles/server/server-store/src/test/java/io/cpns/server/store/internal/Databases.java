package io.cpns.server.store.internal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The databases store tests run against: always embedded H2; PostgreSQL when
 * {@code CPNS_TEST_PG_URL} (with {@code CPNS_TEST_PG_USER}, {@code CPNS_TEST_PG_PASSWORD}) is set,
 * as {@code .ci/run} does. Each test gets a fresh database (H2) or a fresh schema (PostgreSQL).
 */
final class Databases {
    record Db(String name, HikariDataSource pool, Runnable drop) implements AutoCloseable {
        @Override
        public void close() {
            drop.run();
            pool.close();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final String PG_URL = System.getenv("CPNS_TEST_PG_URL");

    static {
        if (PG_URL == null || PG_URL.isBlank()) {
            System.out.println("[server-store] CPNS_TEST_PG_URL not set: PostgreSQL store tests skipped, H2 only"
                    + " (.ci/run installs PostgreSQL and sets it)");
        }
    }

    /** Both databases, always: without PostgreSQL its cases are reported as skipped, with the reason. */
    static Stream<String> names() {
        return Stream.of("h2", "postgresql");
    }

    static Db open(String name) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(name.equals("h2") || (PG_URL != null && !PG_URL.isBlank()),
                "CPNS_TEST_PG_URL not set: PostgreSQL case skipped (.ci/run installs PostgreSQL and sets it)");
        if (name.equals("h2")) {
            String url = "jdbc:h2:mem:t" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
            HikariDataSource ds = DataSources.pooled(url, "sa", "", 4);
            return new Db(name, ds, () -> exec(ds, "DROP ALL OBJECTS"));
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        String user = System.getenv().getOrDefault("CPNS_TEST_PG_USER", "cpns");
        String password = System.getenv().getOrDefault("CPNS_TEST_PG_PASSWORD", "cpns");
        try (HikariDataSource admin = DataSources.pooled(PG_URL, user, password, 1)) {
            exec(admin, "CREATE SCHEMA " + schema);
        }
        String sep = PG_URL.contains("?") ? "&" : "?";
        HikariDataSource ds = DataSources.pooled(PG_URL + sep + "currentSchema=" + schema, user, password, 4);
        return new Db(name, ds, () -> exec(ds, "DROP SCHEMA " + schema + " CASCADE"));
    }

    private static void exec(HikariDataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private Databases() {
    }
}
