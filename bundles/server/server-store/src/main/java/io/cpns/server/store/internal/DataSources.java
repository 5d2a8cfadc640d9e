package io.cpns.server.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * Builds the pooled DataSource. The driver's own DataSource class is created here, where its
 * package is imported, rather than looked up by name: under OSGi, neither HikariCP's class loader
 * nor {@code DriverManager} can see driver bundles.
 */
final class DataSources {
    private DataSources() {
    }

    static HikariDataSource pooled(String url, String user, String password, int poolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(raw(url, user, password));
        hc.setPoolName("cpns-server-db");
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(5000);
        hc.setInitializationFailTimeout(10000);
        return new HikariDataSource(hc);
    }

    static DataSource raw(String url, String user, String password) {
        if (url.startsWith("jdbc:h2:")) {
            org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
            ds.setURL(url);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(url);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }
        throw new IllegalArgumentException("unsupported database URL (use jdbc:h2: or jdbc:postgresql:): " + redact(url));
    }

    /** A URL without inline credentials, for logs. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password|user)=[^&;]*", "$1=***");
    }
}
