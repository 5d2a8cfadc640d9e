package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SetupType;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import io.cpns.pne.SerialDiscovery;
import io.cpns.pne.SerialTransport;
import io.cpns.testkit.Commands;
import io.cpns.testkit.PtyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Assume;
import org.junit.Before;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * pan-serial over real pseudo-terminal pairs (socat): discovery on the line, EUKey assignment and
 * PN Establishment with the message-level PNE-GW session, reconnect with the LocalEUKey, refusal
 * of a wrong key, and adapter hot swap that leaves the other PAN's PNEs connected.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PnSerialIT extends PnTestBase {
    private static final int BAUD = 115200;
    private static final String LINES = "cpns.itest.pty.lines";
    private static Line line1;
    private static Line line2;

    /** One socat cable's two ends, opened in the driver JVM (the testkit is not in the framework). */
    record Line(String gatewaySide, String pneSide) {
    }

    @Configuration
    public Option[] config() throws Exception {
        if (System.getProperty(LINES) == null) {
            Cables.open();
        }
        return CpnsOptions.boot("serial", configs(Map.of()), "runtime", "core", "server", "gateway", "pne");
    }

    /**
     * Opens the two cables in the driver JVM and leaves their ends in {@link #LINES}. A class of its
     * own: the probe loads PnSerialIT's methods (and a lambda's parameter types) but never this.
     */
    private static final class Cables {
        static void open() throws Exception {
            if (!Commands.installed("socat")) {
                return;
            }
            Path dir = Files.createTempDirectory("cpns-pty");
            PtyPair a = PtyPair.open(dir, "line1");
            PtyPair b = PtyPair.open(dir, "line2");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                a.close();
                b.close();
            }));
            System.setProperty(LINES, String.join(",", a.gatewaySide(), a.pneSide(), b.gatewaySide(), b.pneSide()));
        }
    }

    @Before
    public void serialLines() throws Exception {
        String lines = System.getProperty(LINES);
        if (lines == null) {
            System.out.println("[PnSerialIT] SKIPPED: socat is not installed (apt-get install socat; .ci/run does)");
        }
        Assume.assumeTrue("socat is not installed", lines != null);
        String[] ends = lines.split(",");
        line1 = new Line(ends[0], ends[1]);
        line2 = new Line(ends[2], ends[3]);
        if (osgi.bundle("io.cpns.pan.serial").getState() != org.osgi.framework.Bundle.ACTIVE) {
            osgi.bundle("io.cpns.pan.serial").start(); // a test that stopped it failed before starting it again
        }
        ports(line1, line2);
    }

    private void ports(Line... lines) throws Exception {
        String[] ports = java.util.Arrays.stream(lines).map(Line::gatewaySide).toArray(String[]::new);
        osgi.configure("cpns.pan.serial", Map.of("ports", ports, "reopenMillis", 200));
        Osgi.eventually("serial lines " + List.of(ports) + " announced", () -> {
            DiscoveryAnnounce a = announce(lines[0]);
            return a != null && a.access().stream().filter(x -> x.adapter().equals("serial")).count() == ports.length;
        }, () -> "");
    }

    private DiscoveryAnnounce announce(Line line) {
        try {
            return SerialDiscovery.query(line.pneSide(), BAUD, EntityId.of("pne-look"), Map.of(), Duration.ofMillis(700)).orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    SerialTransport serial(Line line) {
        return new SerialTransport(line.pneSide(), BAUD, 65536);
    }

    /** The PNE's link as the PN GW sees it (after a PSK-TLS handshake the PNE may be a moment ahead). */
    private PneLink link(String pne) {
        Osgi.eventually("a link to " + pne, () -> osgi.service(PneMessenger.class).link(EntityId.of(pne)).isPresent(), () -> "");
        return osgi.service(PneMessenger.class).link(EntityId.of(pne)).orElseThrow();
    }

    @Test
    public void r01_discovery_onTheLine_answersWithEveryPan() throws Exception {
        DiscoveryAnnounce a = SerialDiscovery.query(line1.pneSide(), BAUD, EntityId.of("pne-look"), Map.of(), Duration.ofSeconds(3))
                .orElseThrow();
        assertEquals(GATEWAY, a.gatewayId());
        assertTrue(a.access().stream().anyMatch(x -> x.adapter().equals("serial") && x.address().equals(line1.gatewaySide())));
        assertTrue(a.access().stream().anyMatch(x -> x.adapter().equals("ip")));
    }

    @Test
    public void r02_pneWithUi_onSerial_euKeyThroughTheTunnel_thenPnWithLocalEuKey_overTheMessageLevelSession() throws Exception {
        PneClient meter = pne(config("pne-meter"), serial(line1));
        meter.connect(EntityId.of(GATEWAY));
        meter.assignEuKey(USER, PASSWORD.toCharArray());
        PnState pn = meter.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(pn.serverAuthenticated());
        assertTrue(meter.secured());
        assertEquals("session", link("pne-meter").protectionName());
        assertEquals("serial", link("pne-meter").adapter());
        assertTrue(meter.requestServer(pn.pnId(), new Ping(new byte[] {9})) instanceof Pong);
    }

    @Test
    public void r03_restartedSerialPne_reconnectsWithItsLocalEuKey_withoutNewEstablishment() throws Exception {
        int pns = osgi.service(PnInventory.class).pnsOf("pne-meter").size();
        PneClient meter = pne(config("pne-meter"), serial(line1));
        meter.connect(EntityId.of(GATEWAY));
        assertTrue(meter.secured());
        assertEquals("session", link("pne-meter").protectionName());
        assertTrue(meter.ping() != null);
        assertEquals(pns, osgi.service(PnInventory.class).pnsOf("pne-meter").size());
    }

    @Test
    public void r035_gatewayInvitesASerialPne_withANewLocalEuKey_overAFreshSession() throws Exception {
        PneClient meter = pne(config("pne-meter"), serial(line1));
        meter.connect(EntityId.of(GATEWAY)); // already holds a LocalEUKey (r02): a session now, a new key below
        assertEquals("session", link("pne-meter").protectionName());
        io.cpns.api.gateway.PnRecord pn = osgi.service(io.cpns.api.gateway.PnManagement.class)
                .establish(SetupType.INVITE, List.of("pne-meter")).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(1, pn.members().size());
        Osgi.eventually("pne-meter holds the PN", () -> meter.pn(pn.pnId()).isPresent(), () -> "");
        assertTrue(meter.requestServer(pn.pnId(), new Ping(new byte[] {8})) instanceof Pong);
    }

    @Test
    public void r036_gatewayInvitesAKeylessSerialPne() throws Exception {
        PneClient gauge = pne(config("pne-gauge"), serial(line2));
        gauge.connect(EntityId.of(GATEWAY));
        gauge.assignEuKey(USER, PASSWORD.toCharArray());
        io.cpns.api.gateway.PnRecord pn = osgi.service(io.cpns.api.gateway.PnManagement.class)
                .establish(SetupType.INVITE, List.of("pne-gauge")).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(1, pn.members().size());
        assertEquals("session", link("pne-gauge").protectionName());
    }

    @Test
    public void r04_wrongKeyOnTheLine_isRefused_andTheLineServesTheRightPneNext() throws Exception {
        Path dir = Path.of(ctx.getProperty("cpns.data")).resolve("pne-forged");
        java.nio.file.Files.createDirectories(dir);
        EncryptedFileStore forged = new EncryptedFileStore(dir, dir.resolve("master.key"));
        forged.put(PneClient.LOCAL_EUKEY, new byte[32]); // not the LocalEUKey the PN GW holds for pne-meter
        PneClient impostor = new PneClient(config("pne-meter"), serial(line1), forged);
        clients.add(impostor);
        assertEquals(ErrorCode.AUTH_FAILED, expect(() -> impostor.connect(EntityId.of(GATEWAY))).code());
        impostor.close();

        PneClient meter = pne(config("pne-meter"), serial(line1));
        meter.connect(EntityId.of(GATEWAY));
        assertTrue(meter.ping() != null);
    }

    @Test
    public void r05_adapterHotSwap_leavesTheOtherPansPnesConnected() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        PneClient meter = pne(config("pne-meter"), serial(line1));
        meter.connect(EntityId.of(GATEWAY));
        AtomicInteger meterDrops = new AtomicInteger();
        AtomicInteger tvDrops = new AtomicInteger();
        meter.onDisconnect(meterDrops::incrementAndGet);
        tv.onDisconnect(tvDrops::incrementAndGet);
        Instant meterSince = link("pne-meter").since();

        osgi.bundle("io.cpns.pan.ip").update(); // operator pushes a new IP adapter
        Osgi.eventually("pne-tv's IP link dropped by the update", () -> tvDrops.get() == 1, () -> "");
        assertEquals(0, meterDrops.get());
        assertEquals(meterSince, link("pne-meter").since());
        assertTrue(meter.ping() != null);
        reconnect(tv); // with its LocalEUKey: no new PN Establishment
        assertEquals("tls", link("pne-tv").protectionName());
        Instant tvSince = link("pne-tv").since();

        osgi.bundle("io.cpns.pan.serial").stop();
        Osgi.eventually("pne-meter told its line ended", () -> meterDrops.get() == 1, () -> "");
        assertTrue(tv.ping() != null);
        assertEquals(tvSince, link("pne-tv").since());
        osgi.bundle("io.cpns.pan.serial").start();
        Osgi.eventually("serial line back", () -> announce(line1) != null, () -> "");
        meter.connect(EntityId.of(GATEWAY));
        assertEquals("session", link("pne-meter").protectionName());
        assertEquals(1, tvDrops.get());
    }

    @Test
    public void r06_removingAPortFromTheConfiguration_endsOnlyThatLine() throws Exception {
        PneClient meter = pne(config("pne-meter"), serial(line1));
        meter.connect(EntityId.of(GATEWAY));
        PneClient sensor = pne(config("pne-sensor").withUi(false), serial(line2));
        sensor.connect(EntityId.of(GATEWAY)); // no key: an unauthenticated link, enough for discovery and ping
        assertTrue(sensor.ping() != null);
        AtomicInteger sensorDrops = new AtomicInteger();
        sensor.onDisconnect(sensorDrops::incrementAndGet);
        Instant meterSince = link("pne-meter").since();

        osgi.configure("cpns.pan.serial", Map.of("ports", new String[] {line1.gatewaySide()}));
        Osgi.eventually("pne-sensor's line closed", () -> sensorDrops.get() == 1, () -> "");
        assertEquals(meterSince, link("pne-meter").since());
        assertTrue(meter.ping() != null);
        assertEquals(Optional.empty(), osgi.service(PneMessenger.class).link(EntityId.of("pne-sensor")));
    }

    private void reconnect(PneClient c) throws Exception {
        Osgi.eventually(c.id() + " reconnected", () -> {
            try {
                c.connect(EntityId.of(GATEWAY));
                return c.secured();
            } catch (Exception e) {
                return false;
            }
        }, () -> "");
    }
}
