package io.cpns.pne.sim;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.PanAccess;
import io.cpns.api.message.SetupType;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.IpDiscovery;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneConfig;
import io.cpns.pne.PneTransport;
import io.cpns.pne.SerialTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The simulated PNEs and their life: discover, connect, enrol, establish, report, stay or leave. */
final class Fleet {
    private final Main o;
    private final List<PneClient> pnes = new ArrayList<>();
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, Long> joined = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private CountDownLatch allJoined;
    private EntityId gatewayId;
    private final GroupKeyWatch watch = new GroupKeyWatch();

    Fleet(Main options) {
        this.o = options;
    }

    int run() throws Exception {
        DiscoveryAnnounce gw = discover();
        String address = o.gateway != null ? o.gateway : ipAccess(gw);
        gatewayId = EntityId.of(o.gatewayId != null ? o.gatewayId : gw.gatewayId());
        System.out.printf("PN GW %s, IP PAN %s%s; %d PNE(s) on IP%s%n", gatewayId, address, o.securePan ? " (secure PAN)" : "",
                o.count, o.serialPorts.isEmpty() ? "" : ", " + o.serialPorts.size() + " on serial " + o.serialPorts);
        Map<String, byte[]> paks = o.noUi && !o.securePan ? PakFile.keysFor(o.pakFile, ids()) : Map.of();
        if (paks == null) {
            System.out.println("PNEs without UI on an insecure PAN need pre-assigned keys: written to " + o.pakFile
                    + "; run those commands on the gateway console, then start the simulator again");
            return 3;
        }
        create(address, paks);
        long t0 = System.nanoTime();
        parallel("connect and enrol", this::enrol);
        System.out.printf("%d PNE(s) connected and holding an EUKey in %.1f s%n", pnes.size(), (System.nanoTime() - t0) / 1e9);
        int target = o.setup == Main.Setup.wait && o.expect >= 0 ? o.expect : pnes.size();
        allJoined = new CountDownLatch(target);
        long t1 = System.nanoTime();
        establish();
        boolean done = allJoined.await(o.timeoutSeconds, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t1) / 1e9;
        Report.print(pnes.size(), started, joined, failures, seconds, done);
        if (o.control) {
            watch.serve(o.timeoutSeconds);
        }
        if (o.stay) {
            System.out.println("staying connected; Ctrl-C to stop");
            Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll));
            Thread.currentThread().join();
        }
        closeAll();
        return done && failures.isEmpty() ? 0 : 1;
    }

    private DiscoveryAnnounce discover() throws IOException {
        if (o.gateway != null && o.gatewayId != null) {
            return null;
        }
        int colon = o.discovery.lastIndexOf(':');
        InetSocketAddress to = new InetSocketAddress(o.discovery.substring(0, colon), Integer.parseInt(o.discovery.substring(colon + 1)));
        return IpDiscovery.query(to, EntityId.of(o.prefix + "-discovery"), Map.of(), Duration.ofSeconds(3))
                .orElseThrow(() -> new IOException("no PN GW answered CPNS Entity Discovery at " + o.discovery
                        + " (give --gateway HOST:PORT --gateway-id ID)"));
    }

    private static String ipAccess(DiscoveryAnnounce a) {
        return a.access().stream().filter(x -> x.adapter().equals("ip")).map(PanAccess::address).findFirst()
                .orElseThrow(() -> new CpnsException(io.cpns.api.ErrorCode.UNAVAILABLE, "the PN GW announced no IP PAN"));
    }

    private List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= o.count + o.serialPorts.size(); i++) {
            ids.add(String.format("%s-%04d", o.prefix, i));
        }
        return ids;
    }

    private void create(String address, Map<String, byte[]> paks) throws IOException {
        List<String> ids = ids();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            PneTransport t = i < o.count ? IpTransport.of(address, o.securePan)
                    : new SerialTransport(o.serialPorts.get(i - o.count), o.baud, 65536, o.securePan);
            Path dir = o.data.resolve(id);
            Files.createDirectories(dir);
            EncryptedFileStore keys = new EncryptedFileStore(dir, dir.resolve("master.key"));
            byte[] pak = paks.get(id);
            if (pak != null) {
                keys.put(PneClient.PRE_ASSIGNED, pak);
            }
            PneConfig c = PneConfig.of(id).withUi(!o.noUi).withServer(o.serverId, o.operatorCa, o.serverName)
                    .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(o.timeoutSeconds)).withBroadcast(o.broadcast);
            PneClient pne = new PneClient(c, t, keys);
            watch.watch(pne);
            pne.onInvited(pn -> started.putIfAbsent(id, System.nanoTime()));
            pne.onJoined(pn -> {
                if (joined.putIfAbsent(id, System.nanoTime()) == null && allJoined != null) {
                    allJoined.countDown();
                }
            });
            pnes.add(pne);
        }
    }

    private void enrol(PneClient pne) throws Exception {
        pne.connect(gateway());
        if (!pne.hasEuKey()) {
            String password = o.user == null ? null : System.getenv(o.passwordEnv);
            if (password == null) {
                throw new IllegalStateException(pne.id() + " has no EUKey: give --user and the password in $" + o.passwordEnv);
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    pne.assignEuKey(o.user, password.toCharArray()); // through the gateway's tunnel (TS 5.3.1)
                    return;
                } catch (CpnsException e) {
                    // the PN GW bounds its open tunnels (maxTunnels): "try again later" is an answer, not a failure
                    if (e.code() != io.cpns.api.ErrorCode.UNAVAILABLE || attempt == 20) {
                        throw e;
                    }
                    Thread.sleep(Math.min(2000, 50L * attempt));
                }
            }
        }
    }

    private EntityId gateway() {
        return gatewayId;
    }

    private void establish() {
        switch (o.setup) {
            case wait -> System.out.println("waiting for the PN GW to invite the PNEs (gw:establish all)");
            case one_to_one -> pnes.forEach(p -> start(p, SetupType.ONE_TO_ONE));
            case all -> start(pnes.get(0), SetupType.ALL);
        }
    }

    private void start(PneClient p, SetupType type) {
        started.put(p.id().value(), System.nanoTime());
        p.setup(type, List.of()).whenComplete((pn, e) -> {
            if (e != null) {
                failures.add(p.id() + ": " + e.getMessage());
            }
        });
    }

    private void parallel(String what, Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, o.parallel));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (PneClient p : pnes) {
                done.add(pool.submit(() -> {
                    step.run(p);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(o.timeoutSeconds, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private interface Step {
        void run(PneClient p) throws Exception;
    }

    private void closeAll() {
        pnes.forEach(PneClient::close);
    }
}
