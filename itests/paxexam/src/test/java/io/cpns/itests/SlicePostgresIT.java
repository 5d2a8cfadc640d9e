package io.cpns.itests;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The slice with the Server on PostgreSQL, in a fresh schema. Needs {@code CPNS_TEST_PG_URL} (and
 * {@code CPNS_TEST_PG_USER}/{@code CPNS_TEST_PG_PASSWORD}), which {@code .ci/run} sets after
 * installing PostgreSQL; without it the build excludes this class and prints why (profile no-postgres).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SlicePostgresIT extends AbstractSliceIT {
    static final String URL = System.getenv("CPNS_TEST_PG_URL");
    static final String USER = System.getenv().getOrDefault("CPNS_TEST_PG_USER", "cpns");
    static final String PASSWORD = System.getenv().getOrDefault("CPNS_TEST_PG_PASSWORD", "cpns");

    @Configuration
    public Option[] config() throws Exception {
        String schema = "itest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return CpnsOptions.boot("slice-pg", configs(Map.of("url", url, "user", USER, "password", PASSWORD)),
                "runtime", "core", "server", "gateway");
    }
}
