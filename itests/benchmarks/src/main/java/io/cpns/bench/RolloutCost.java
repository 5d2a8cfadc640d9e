package io.cpns.bench;

import io.cpns.api.message.Ack;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateOffer;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.update.UpdateState;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.server.store.UpdateStore;
import io.cpns.server.update.RolloutRequest;
import io.cpns.server.update.RolloutView;
import io.cpns.server.update.Target;
import io.cpns.server.update.internal.Updates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Server's cost of one rollout across N simulated gateways (issue 11, docs/benchmarks.md):
 * the real {@link Updates} on an embedded H2 file database as the Server runs it (WRITE_DELAY=0),
 * every gateway connected and answering its offer at once, then reporting ACCEPTED, DOWNLOADING,
 * DOWNLOADED, APPLYING, TRIAL and COMMITTED (6 statuses each) over simulated minutes. Beside it, in
 * the same run, its floor: the same number of plain one-row status inserts into a fresh
 * database. Prints wall time, statuses per second, rows and database file bytes of each.
 *
 * <pre>java -cp itests/benchmarks/target/benchmarks.jar io.cpns.bench.RolloutCost [gateways]</pre>
 */
public final class RolloutCost {
    private static final List<UpdateState> STATES = List.of(UpdateState.ACCEPTED, UpdateState.DOWNLOADING, UpdateState.DOWNLOADED,
            UpdateState.APPLYING, UpdateState.TRIAL, UpdateState.COMMITTED);

    private RolloutCost() {
    }

    /** Its own clock, not cpns-testkit's ManualClock: the shaded benchmarks jar does not take the testkit. */
    static final class SimClock extends Clock {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId z) {
            return this;
        }
    }

    record Report(Instant at, long order, String gateway, UpdateState state) {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("rollout-cost");
        System.out.printf("rollout cost: %d gateways, 6 statuses each, H2 file database (WRITE_DELAY=0) in %s%n", n, dir);
        Result rollout = rollout(dir.resolve("rollout"), n);
        Result floor = floor(dir.resolve("floor"), rollout.statuses);
        System.out.printf("%-34s %10s %12s %10s %14s%n", "", "wall (s)", "statuses/s", "rows", "db file (MB)");
        print("one rollout (Updates + engine + H2)", rollout);
        print("floor: plain status inserts (H2)", floor);
        System.out.printf("rollout / floor: %.2f× the time, %.2f× the bytes%n", rollout.seconds / floor.seconds,
                (double) rollout.bytes / floor.bytes);
        System.out.printf("rollout: %d offers, %d waves, state %s, median install %s; of its time %.1f s in status intake%n",
                rollout.offers, rollout.waves, rollout.state, rollout.median, rollout.statusSeconds);
    }

    private static void print(String what, Result r) {
        System.out.printf("%-34s %10.2f %12.0f %10d %14.2f%n", what, r.seconds, r.statuses / r.seconds, r.rows, r.bytes / 1e6);
    }

    static final class Result {
        double seconds;
        double statusSeconds;
        long statuses;
        long rows;
        long bytes;
        long offers;
        int waves;
        String state;
        Duration median;
    }

    private static String url(Path base) {
        return "jdbc:h2:file:" + base.resolve("cpns") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    static Result rollout(Path base, int n) throws Exception {
        Files.createDirectories(base);
        Result res = new Result();
        List<String> fleet = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fleet.add(String.format("gw-%06d", i));
        }
        Set<String> connected = Set.copyOf(fleet);
        SimClock clock = new SimClock();
        PriorityQueue<Report> reports = new PriorityQueue<>(java.util.Comparator.comparing(Report::at).thenComparingLong(Report::order));
        long[] order = {0};
        long[] offers = {0};
        try (OpenStore db = JdbcStores.open(url(base), "sa", "", 4)) {
            UpdateStore store = db.updateStore();
            store.insertRelease(new UpdateStore.ReleaseRow(7, "bench", "cpns", "gateway", 4_000_000_000L, "k", 1, new byte[600], new byte[64],
                    new byte[120], new byte[64], clock.instant(), List.of(new UpdateStore.ReleaseFile("gw-pn.jar", "gw-pn", "1.0.7", 90_000,
                            new byte[32], "HOT", 2))));
            Updates.GatewayLink link = new Updates.GatewayLink() {
                @Override
                public Set<String> connected() {
                    return connected;
                }

                @Override
                public CompletionStage<Message> send(String gateway, Message request) {
                    if (request instanceof UpdateOffer) {
                        offers[0]++;
                        // the gateway reports a state every 2 simulated minutes, the install taking 10 minutes in all
                        for (int i = 0; i < STATES.size(); i++) {
                            reports.add(new Report(clock.now.plus(Duration.ofMinutes(2L * i)), order[0]++, gateway, STATES.get(i)));
                        }
                    }
                    return CompletableFuture.completedFuture(new Ack());
                }
            };
            Updates u = new Updates(store, t -> fleet, link, clock, new Updates.Settings(() -> "https://localhost:7444/cpns/releases/",
                    Duration.ofMinutes(1)), new Updates.Log() {
                        @Override
                        public void info(String line) {
                        }

                        @Override
                        public void warn(String line) {
                            System.out.println("WARN " + line);
                        }
                    });
            long t0 = System.nanoTime();
            long inStatus = 0;
            u.start(new RolloutRequest("r-bench", 7, new Target(Target.Kind.ALL, List.of()), "100,10%,50%,100%", 95, 5, Duration.ofMinutes(10),
                    Duration.ofHours(6), null));
            for (int minute = 0; minute < 24 * 60; minute++) {
                clock.now = clock.now.plus(Duration.ofMinutes(1));
                long s0 = System.nanoTime();
                while (!reports.isEmpty() && !reports.peek().at().isAfter(clock.now)) {
                    Report r = reports.poll();
                    u.status(r.gateway(), new UpdateStatus("r-bench", 7, r.state(), null, null, clock.millis()));
                    res.statuses++;
                }
                inStatus += System.nanoTime() - s0;
                u.tick();
                if (reports.isEmpty() && u.rollout("r-bench").orElseThrow().state().equals("COMPLETED")) {
                    break;
                }
            }
            res.seconds = (System.nanoTime() - t0) / 1e9;
            res.statusSeconds = inStatus / 1e9;
            RolloutView v = u.rollout("r-bench").orElseThrow();
            res.state = v.state();
            res.waves = v.waveFigures().size();
            res.median = v.medianInstall();
            res.offers = offers[0];
        }
        res.rows = rows(base, "cpns_release", "cpns_release_file", "cpns_rollout", "cpns_rollout_wave", "cpns_rollout_gateway",
                "cpns_update_status");
        res.bytes = Files.size(base.resolve("cpns.mv.db"));
        return res;
    }

    /** The same number of statuses as plain one-row inserts, each its own commit, into the same table of a fresh database. */
    static Result floor(Path base, long statuses) throws Exception {
        Files.createDirectories(base);
        Result res = new Result();
        try (OpenStore db = JdbcStores.open(url(base), "sa", "", 4)) {
            db.updateStore(); // schema as the Server has it
        }
        try (Connection c = DriverManager.getConnection(url(base), "sa", "")) {
            try (Statement s = c.createStatement()) { // the foreign keys the status rows need
                s.execute("INSERT INTO cpns_release (release_seq, name, product, role, expires_at, key_id, keys_seq, manifest, manifest_sig,"
                        + " release_keys, release_keys_sig, published_at) VALUES (7, 'bench', 'cpns', 'gateway', 4000000000, 'k', 1, X'00', X'00',"
                        + " X'00', X'00', 0)");
                s.execute("INSERT INTO cpns_rollout (rollout_id, release_seq, target, waves, success_pct, failure_pct, soak_ms, deadline_ms,"
                        + " state, created_at, updated_at) VALUES ('r-bench', 7, 'all', '100%', 95, 5, 0, 1, 'RUNNING', 0, 0)");
            }
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cpns_update_status (rollout_id, gateway_id, state, release_seq,"
                    + " failure, detail, gateway_at, received_at) VALUES ('r-bench', ?, ?, 7, NULL, NULL, ?, ?)")) {
                for (long i = 0; i < statuses; i++) {
                    ps.setString(1, String.format("gw-%06d", i / STATES.size()));
                    ps.setString(2, STATES.get((int) (i % STATES.size())).name());
                    ps.setLong(3, i);
                    ps.setLong(4, i);
                    ps.executeUpdate();
                }
            }
            res.seconds = (System.nanoTime() - t0) / 1e9;
            res.statuses = statuses;
        }
        res.rows = rows(base, "cpns_update_status");
        res.bytes = Files.size(base.resolve("cpns.mv.db"));
        return res;
    }

    private static long rows(Path base, String... tables) throws Exception {
        long n = 0;
        try (Connection c = DriverManager.getConnection(url(base), "sa", ""); Statement s = c.createStatement()) {
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t)) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
        }
        return n;
    }
}
