package io.cpns.demo;

import static io.cpns.demo.DemoSteps.check;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PnManagement;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.KeyAssignmentService;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Relay;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.RegisteredPn;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.demo.Runtimes.Services;
import io.cpns.pne.IpDiscovery;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneConfig;
import io.cpns.pne.PneTransport;
import io.cpns.pne.SerialDiscovery;
import io.cpns.pne.SerialTransport;
import io.cpns.testkit.Commands;
import io.cpns.testkit.PtyPair;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;

/**
 * The home side of the demo (issue 3): PNEs built on the PNE SDK, on the IP PAN and on a serial
 * line, finding the PN GW, getting their EUKeys through it and forming PNs both ways (seed 004).
 */
final class PneDemo implements AutoCloseable {
    private final DemoSteps steps;
    private final Path root;
    private final String gatewayId;
    private final String user;
    private final char[] password;
    private final int panPort;
    private final int discoveryPort;
    private final int brokerPort;
    private final PtyPair cable;
    private final List<PneClient> clients = new ArrayList<>();
    private Path operatorCa;
    private PneClient tv;
    private PneClient radio;
    private PneClient meter;
    private PneClient sensor;
    private String pnOfTv;
    private String pnOfHome;

    PneDemo(DemoSteps steps, Path root, String gatewayId, String user, char[] password) throws Exception {
        this.steps = steps;
        this.root = root;
        this.gatewayId = gatewayId;
        this.user = user;
        this.password = password;
        this.panPort = freeTcpPort();
        this.discoveryPort = freeUdpPort();
        this.brokerPort = freeTcpPort();
        this.cable = Commands.installed("socat") ? PtyPair.open(root.resolve("serial"), "tty") : null;
    }

    /** The adapters' part of the gateway's etc/: IP on loopback with discovery, serial on the cable. */
    Map<String, Map<String, String>> gatewayConfig() {
        Map<String, Map<String, String>> c = new HashMap<>();
        c.put("cpns.pan.ip.cfg", Map.of("port", String.valueOf(panPort), "discoveryPort", String.valueOf(discoveryPort)));
        c.put("cpns.pan.serial.cfg", Map.of("ports", cable == null ? "" : cable.gatewaySide(), "reopenMillis", "200"));
        c.put("cpns.gw.pn.cfg", Map.of("notifyTimeoutMillis", "5000"));
        c.put("cpns.gw.broker.cfg", Map.of("port", String.valueOf(brokerPort)));
        return c;
    }

    void operatorCa(Path ca) {
        this.operatorCa = ca;
    }

    // ---- steps ----

    void discovery() throws Exception {
        steps.begin("CPNS Entity Discovery (seed 004 step 0) on the IP PAN" + (cable == null ? "" : " and on the serial line"));
        DiscoveryAnnounce a = IpDiscovery.query(new InetSocketAddress("127.0.0.1", discoveryPort), EntityId.of("pne-tv"), Map.of(),
                Duration.ofSeconds(3)).orElseThrow(() -> new DemoSteps.Failure("no discovery answer on the IP PAN"));
        check(a.gatewayId().equals(gatewayId), "announce from " + a.gatewayId());
        check(a.access().stream().anyMatch(x -> x.adapter().equals("ip") && x.address().endsWith(":" + panPort)), "no IP access in " + a);
        if (cable == null) {
            steps.pass("IP PAN: PN GW %s at %s", a.gatewayId(), where(a));
            steps.skip("serial PAN not shown: socat is not installed (apt-get install socat)");
            return;
        }
        Runtimes.await("serial line open", () -> serialAnnounce() != null, () -> "no answer on " + cable.pneSide());
        DiscoveryAnnounce s = serialAnnounce();
        check(s.access().stream().anyMatch(x -> x.adapter().equals("serial")), "no serial access in " + s);
        steps.pass("PN GW %s answers on both PANs: %s", a.gatewayId(), where(s));
    }

    private static String where(DiscoveryAnnounce a) {
        return String.join(", ", a.access().stream().map(x -> x.adapter() + " " + x.address() + (x.secure() ? " (secure)" : "")).toList());
    }

    private DiscoveryAnnounce serialAnnounce() {
        try {
            return SerialDiscovery.query(cable.pneSide(), 115200, EntityId.of("pne-meter"), Map.of(), Duration.ofMillis(700))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    void pneInitiated(Services gw, Services srv) throws Exception {
        steps.begin("PNE pne-tv (with UI, IP PAN) gets its EUKey through the PN GW (tunnelled bootstrap TLS, TS 5.3.1)");
        tv = enrolled("pne-tv", true, ip());
        check(srv.get(io.cpns.api.server.EntityRegistry.class).find(EntityId.of("pne-tv")).orElseThrow().kind() == EntityKind.PNE,
                "server does not know pne-tv as a PNE");
        steps.pass("EUKey stored on pne-tv and on the Server for CPNS User %s; the PN GW only relayed ciphertext", user);

        steps.begin("PNE-initiated PN Establishment, 1-1 (seed 004 5.2.1.1): LocalEUKey, PSK-TLS, hash_PNE, hash_server");
        PnState pn = tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        pnOfTv = pn.pnId();
        check(pn.serverAuthenticated(), "pne-tv did not authenticate the Server");
        PneLink link = link(gw, "pne-tv");
        check(link.protection() == LinkProtection.TLS, "pne-tv link is " + link.protectionName());
        check(gw.get(PnInventory.class).pn(pnOfTv).orElseThrow().members().get(0).localEuKey(), "no LocalEUKey on the PN GW");
        RegisteredPn registered = srv.get(PnRegistry.class).pn(pnOfTv).orElseThrow(() -> new DemoSteps.Failure("PN not registered"));
        check(registered.members().equals(List.of(EntityId.of("pne-tv"))), "server members " + registered.members());
        steps.pass("PN %s: pne-tv re-connected under PSK-TLS 1.3 with its LocalEUKey and verified hash_server", pnOfTv);
    }

    void gatewayInitiated(Services gw, Services srv) throws Exception {
        steps.begin("more PNEs: pne-radio (UI, IP)" + (cable == null ? "" : ", pne-meter (UI, serial)")
                + ", pne-sensor (no UI, pre-assigned key, seed 004 R01) gets its EUKey by Key Assignment without UI (seed 001)");
        radio = enrolled("pne-radio", true, ip());
        if (cable != null) {
            meter = enrolled("pne-meter", true, new SerialTransport(cable.pneSide(), 115200, 65536));
        }
        byte[] pak = new byte[32];
        new SecureRandom().nextBytes(pak);
        gw.get(PreAssignedKeys.class).set("pne-sensor", pak); // what gw:preassign does
        EncryptedFileStore flash = store("pne-sensor");
        flash.put(PneClient.PRE_ASSIGNED, pak); // installed at the factory
        sensor = uiLess("pne-sensor", gw);
        check(link(gw, "pne-sensor").protection() == LinkProtection.TLS, "pne-sensor not on PSK-TLS with its pre-assigned key");
        steps.pass("%d PNEs connected; pne-sensor on PSK-TLS with its pre-assigned key, and its EUKey came by seed 001: the user's ID "
                + "and password registered, installed on it under that key (PSK2), then the Key Assignment Trigger",
                gw.get(PneMessenger.class).links().size());

        steps.begin("PN GW-initiated PN Establishment, invite list (seed 004 5.2.1.2)");
        List<String> invited = new ArrayList<>(List.of("pne-radio", "pne-sensor"));
        if (meter != null) {
            invited.add("pne-meter");
        }
        PnRecord pn = gw.get(PnManagement.class).establish(SetupType.INVITE, invited).toCompletableFuture().get(60, TimeUnit.SECONDS);
        pnOfHome = pn.pnId();
        check(pn.members().size() == invited.size(), "members " + pn.members());
        Runtimes.await("every invited PNE verified hash_server", () -> radio.pn(pnOfHome).isPresent()
                && sensor.pn(pnOfHome).isPresent() && (meter == null || meter.pn(pnOfHome).isPresent()), () -> "");
        check(pn.members().stream().filter(m -> m.pneId().equals("pne-sensor")).allMatch(m -> !m.localEuKey()),
                "pne-sensor got a LocalEUKey without UI");
        check(srv.get(PnRegistry.class).pn(pnOfHome).orElseThrow().members().size() == invited.size(), "server PN incomplete");
        List<String> how = new ArrayList<>();
        for (String id : invited) {
            how.add(id + " over " + link(gw, id).protectionName());
        }
        steps.pass("PN %s: %s; all Server-authenticated", pnOfHome, String.join(", ", how));
    }

    void relay() throws Exception {
        steps.begin("PNE -> Server end to end through the PN GW, routed by PN ID (SK_PNE, TS 5.3.3.1)");
        EntityInfo me = (EntityInfo) tv.requestServer(pnOfTv, new EntityInfoRequest("pne-tv"));
        check(me.userId().equals(user) && me.kind() == EntityKind.PNE, "server answered " + me);
        PneClient far = meter != null ? meter : radio;
        check(far.requestServer(pnOfHome, new Ping(new byte[] {7})) instanceof Pong, "no pong through the PN GW");
        CompletionException unknown = expectAsync(() -> tv.request(new Relay("pn-nowhere", new byte[] {1}), Duration.ofSeconds(5)).join());
        check(unknown.getCause() instanceof CpnsException c && c.code() == ErrorCode.UNKNOWN_PN, "unknown PN not refused");
        steps.pass("the Server answered %s as a PNE of %s; %s relayed a ping; a relay to an unknown PN ID was dropped (UNKNOWN_PN)",
                me.entityId(), me.userId(), far.id());
    }

    /** Link start times of every PNE: a hot swap that keeps them must leave these alone. */
    Map<String, Instant> linkTimes(Services gw) {
        Map<String, Instant> m = new HashMap<>();
        gw.get(PneMessenger.class).links().forEach(l -> m.put(l.pneId(), l.since()));
        return m;
    }

    void gwPnHotSwap(BundleContext gwCtx, Services gw) throws Exception {
        steps.begin("hot swap: update gw-pn (PN establishment, inventory) with every PNE connected");
        Map<String, Instant> before = linkTimes(gw);
        int pns = gw.get(PnInventory.class).pns().size();
        Runtimes.bundle(gwCtx, "io.cpns.gw.pn").update();
        Runtimes.awaitReady(gw);
        check(linkTimes(gw).equals(before), "a PNE link was dropped");
        check(gw.get(PnInventory.class).pns().size() == pns, "PN Inventory not reloaded");
        Runtimes.await("relay served by the new gw-pn", () -> {
            try {
                return tv.requestServer(pnOfTv, new Ping(new byte[] {1})) instanceof Pong;
            } catch (CpnsException notYet) {
                return false;
            }
        }, () -> "");
        steps.pass("%d PNE links untouched, %d PNs reloaded from the encrypted store, relay works", before.size(), pns);
    }

    void afterRestart(Services gw) {
        steps.begin("after the PN GW restart, every PNE reconnects with its LocalEUKey or pre-assigned key: no new PN Establishment");
        for (PneClient c : List.of(tv, radio, sensor)) {
            reconnect(c);
        }
        if (meter != null) {
            reconnect(meter);
        }
        check(gw.get(PnInventory.class).pn(pnOfTv).isPresent() && gw.get(PnInventory.class).pn(pnOfHome).isPresent(), "PNs lost");
        check(tv.requestServer(pnOfTv, new Ping(new byte[] {2})) instanceof Pong, "no relay after the restart");
        steps.pass("%d PNEs back, authenticated; PNs %s and %s intact; relay works", gw.get(PneMessenger.class).links().size(),
                pnOfTv, pnOfHome);
    }

    /** The Server's PNs and when each was registered: a new PN Establishment would add one. */
    Map<String, Instant> serverPns(Services srv) {
        Map<String, Instant> m = new java.util.TreeMap<>();
        srv.get(PnRegistry.class).pns().forEach(p -> m.put(p.pnId(), p.created()));
        return m;
    }

    /**
     * After a Server restart: every connected PNE in a PN relays a request to the Server in each of
     * its PNs, and still holds exactly the PNs it had (the SDK re-establishes only on SESSION_GONE).
     *
     * @return how many PNEs relayed
     */
    int relaysAfterServerRestart(Services srv) {
        List<PneClient> members = inPns();
        for (PneClient c : members) {
            List<String> before = c.pns().stream().map(PnState::pnId).sorted().toList();
            for (String pn : before) {
                if (srv.get(PnRegistry.class).pn(pn).filter(p -> p.hasMember(c.id())).isEmpty()) {
                    continue; // expelled earlier in the demo: its PN no longer has it
                }
                Runtimes.await(c.id() + " relays in " + pn + " after the Server restart", () -> {
                    try {
                        return c.requestServer(pn, new Ping(new byte[] {9})) instanceof Pong;
                    } catch (CpnsException e) {
                        if (e.code() == ErrorCode.FORBIDDEN) {
                            throw e;
                        }
                        return false; // the PN GW's link to the Server still coming back
                    }
                }, () -> "");
            }
            check(c.pns().stream().map(PnState::pnId).sorted().toList().equals(before), c.id() + " established a PN anew");
        }
        return members.size();
    }

    // ---- helpers ----

    /** A PNE with UI on the IP PAN that receives Group Keys by MQTT broadcast, in its own 1-1 PN with the PN GW. */
    PneClient broadcastMember(String id) throws Exception {
        PneClient pne = enrolled(id, true, ip(), true);
        pne.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        return pne;
    }

    /** Every PNE of the demo connected to the PN GW now. */
    List<PneClient> connected() {
        return clients.stream().filter(PneClient::connected).toList();
    }

    /** The connected PNEs that are members of a PN (they can send requests to the Server through the PN GW). */
    List<PneClient> inPns() {
        return connected().stream().filter(c -> !c.pns().isEmpty()).toList();
    }

    /** pne-tv's request to the Server through the PN GW is answered. */
    boolean relayWorks() {
        return tv.requestServer(pnOfTv, new Ping(new byte[] {3})) instanceof Pong;
    }

    /** pne-tv: on the IP PAN since the first steps, receiving Group Keys by unicast. */
    PneClient tv() {
        return tv;
    }

    /**
     * A PNE without UI gets its EUKey as seed 001 §7.x.2 says: the user, at the box, registers the
     * ID and password with the Server, installs them on the PNE, and triggers the assignment.
     */
    private PneClient uiLess(String id, Services gw) throws Exception {
        PneConfig c = PneConfig.of(id).withUi(false).withServer("cpns-server", operatorCa, "localhost")
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(60));
        PneClient pne = new PneClient(c, ip(), store(id));
        clients.add(pne);
        pne.connect(EntityId.of(gatewayId));
        Runtimes.await(id + " linked", () -> gw.get(PneMessenger.class).link(EntityId.of(id)).isPresent(), () -> "");
        KeyAssignmentService ka = gw.get(KeyAssignmentService.class);
        ka.register(user, password.clone(), java.util.Map.of("plan", "demo")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        ka.install(id, user, password.clone()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        ka.trigger(id, user, password.clone()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        check(pne.hasEuKey(), id + " holds no EUKey after the Key Assignment");
        return pne;
    }

    private PneClient enrolled(String id, boolean ui, PneTransport t) throws Exception {
        return enrolled(id, ui, t, false);
    }

    private PneClient enrolled(String id, boolean ui, PneTransport t, boolean broadcast) throws Exception {
        PneConfig c = PneConfig.of(id).withUi(ui).withServer("cpns-server", operatorCa, "localhost")
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(60)).withBroadcast(broadcast);
        PneClient pne = new PneClient(c, t, store(id));
        clients.add(pne);
        pne.connect(EntityId.of(gatewayId));
        pne.assignEuKey(user, password.clone());
        return pne;
    }

    private void reconnect(PneClient c) {
        Runtimes.await(c.id() + " reconnected", () -> {
            try {
                c.connect(EntityId.of(gatewayId));
                return c.secured();
            } catch (IOException | CpnsException notYet) {
                return false;
            }
        }, () -> "");
    }

    private EncryptedFileStore store(String id) throws IOException {
        Path dir = root.resolve("pne").resolve(id);
        Files.createDirectories(dir);
        return new EncryptedFileStore(dir, dir.resolve("master.key"));
    }

    private IpTransport ip() {
        return new IpTransport("127.0.0.1", panPort, false);
    }

    private static PneLink link(Services gw, String pne) {
        Runtimes.await("a link to " + pne, () -> gw.get(PneMessenger.class).link(EntityId.of(pne)).isPresent(), () -> "");
        return gw.get(PneMessenger.class).link(EntityId.of(pne)).orElseThrow();
    }

    private static CompletionException expectAsync(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            return e;
        }
        throw new DemoSteps.Failure("expected a refusal");
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        clients.forEach(PneClient::close);
        if (cable != null) {
            cable.close();
        }
    }
}
