package io.cpns.itests;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.inject.Inject;
import org.junit.Before;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;

/**
 * The fault-injection harness: the CPNS Server in this framework (so a test reaches its services),
 * PN GWs forked from the distribution ({@link ForkedRuntime}: real processes, real {@code kill -9},
 * real restarts on what they left on disk), and fleets of PNE SDK PNEs in this JVM
 * ({@link PneFleet}). docs/fault-injection.md says how to run and extend it.
 */
public abstract class ForkedGatewayBase {
    static final String USER = "fault-owner";
    static final String PASSWORD = "fault-owner-secret";

    @Inject
    BundleContext ctx;
    Osgi osgi;
    private static boolean registered;

    /** The Server (and the PNE SDK) in the framework; the PN GWs are processes. */
    static Option[] serverOnly(String name) {
        Map<String, Map<String, Object>> c = new HashMap<>();
        c.put("cpns.server.endpoint", Map.of("port", AbstractSliceIT.freePort()));
        c.put("cpns.server.users", Map.of("argon2MemoryKiB", 4096, "argon2Iterations", 1));
        return CpnsOptions.boot(name, c, "runtime", "core", "server", "pne");
    }

    @Before
    public void serverWithOwner() {
        osgi = new Osgi(ctx);
        osgi.awaitReady();
        if (!registered) {
            osgi.service(UserRegistry.class).register(UserId.of(USER), PASSWORD.toCharArray());
            registered = true;
        }
    }

    /**
     * A PN GW of the distribution, not started, configured to enrol itself with the owner's
     * credentials, on free ports, with these extra PID files ({@code pid, "key=value", ...}).
     */
    ForkedRuntime gateway(String gatewayId, Map<String, List<String>> extra) throws IOException {
        Path home = Files.createDirectories(Path.of(ctx.getProperty("cpns.data")).resolve(gatewayId));
        ServerEndpoint ep = osgi.service(ServerEndpoint.class);
        ForkedRuntime gw = ForkedRuntime.gateway(home, gatewayId, ep.listenAddress().getPort(), ep.generatedOperatorCa().orElseThrow(),
                USER, PASSWORD);
        for (Map.Entry<String, List<String>> e : extra.entrySet()) {
            gw.configure(e.getKey(), e.getValue().toArray(new String[0]));
        }
        return gw;
    }

    /** Waits until the PN GW holds a session with the Server (authenticated with its EUKey). */
    void awaitLinked(String gatewayId) {
        Osgi.eventually(gatewayId + " authenticated with the Server", () -> osgi.service(ServerEndpoint.class).sessions().stream()
                .anyMatch(s -> s.entityId().equals(gatewayId) && s.tlsMode().equals("psk") && !s.suite().isEmpty()), () -> "");
    }

    /** {@code n} PNEs with UI of the owner, {@code <prefix>-0 .. -n-1}, keys under this framework's data directory. */
    PneFleet fleet(ForkedRuntime gw, String prefix, int n) throws IOException {
        return fleet(gw, prefix, n, c -> c);
    }

    /** The same, each PNE's configuration changed by {@code tweak} (e.g. to receive Group Keys by broadcast). */
    PneFleet fleet(ForkedRuntime gw, String prefix, int n, java.util.function.UnaryOperator<PneConfig> tweak) throws IOException {
        int port = Integer.parseInt(gw.configured("cpns.pan.ip", "port"));
        Path ca = osgi.service(ServerEndpoint.class).generatedOperatorCa().orElseThrow();
        return new PneFleet(EntityId.of(gw.configured("cpns.gw.identity", "gatewayId")),
                IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList(),
                id -> tweak.apply(PneConfig.of(id).withServer("cpns-server", ca, "localhost").withTimeouts(Duration.ofSeconds(10),
                        Duration.ofSeconds(120))),
                () -> new IpTransport("127.0.0.1", port, false), gw.home().resolve("pnes"));
    }
}
