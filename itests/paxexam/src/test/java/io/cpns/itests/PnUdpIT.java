package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SetupType;
import io.cpns.codec.MessageCodec;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import io.cpns.pne.UdpTransport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * pan-udp, the adapter guide's worked example (docs/adapter-guide.md §8–§9), in the real gateway:
 * discovery by datagram, EUKey assignment and PN Establishment over the message-level PNE–GW
 * session, reconnect with the LocalEUKey, a wrong key refused, hostile datagrams that leave the
 * segment serving PNEs, and stopping the adapter ends only its PNEs' links.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PnUdpIT extends PnTestBase {
    @Configuration
    public Option[] config() throws Exception {
        Map<String, Map<String, Object>> c = new HashMap<>(configs(Map.of()));
        int port;
        try (DatagramSocket free = new DatagramSocket(0)) {
            port = free.getLocalPort();
        }
        c.put("cpns.pan.udp", Map.of("port", port, "maxFrameBytes", 65000, "maxPeers", 64));
        return CpnsOptions.boot("udp", c, "runtime", "core", "server", "gateway", "pne");
    }

    /** The port chosen in the driver JVM, read back in the probe. */
    private int udpPort() throws Exception {
        return Integer.parseInt(String.valueOf(
                osgi.service(ConfigurationAdmin.class).getConfiguration("cpns.pan.udp", "?").getProperties().get("port")));
    }

    private UdpTransport udp() throws Exception {
        return new UdpTransport("127.0.0.1", udpPort());
    }

    private PneLink link(String pne) {
        Osgi.eventually("a link to " + pne, () -> osgi.service(PneMessenger.class).link(EntityId.of(pne)).isPresent(), () -> "");
        return osgi.service(PneMessenger.class).link(EntityId.of(pne)).orElseThrow();
    }

    /** A raw datagram peer (no SDK): sends one datagram, returns the answer or null. */
    private byte[] exchange(DatagramSocket s, byte[] datagram) throws Exception {
        s.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort())));
        byte[] buf = new byte[70000];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            s.receive(p);
        } catch (java.net.SocketTimeoutException none) {
            return null;
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    @Test
    public void r01_discovery_byDatagram_answersWithEveryPan_andOpensNoLink() throws Exception {
        MessageCodec codec = new MessageCodec();
        byte[] query = codec.encode(new Envelope(EntityId.of("pne-look"), EntityId.BROADCAST, 7, new DiscoveryQuery(EntityKind.PNE, Map.of())));
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            Osgi.eventually("pan-udp answers discovery", () -> {
                try {
                    return exchange(s, query) != null;
                } catch (Exception e) {
                    return false;
                }
            }, () -> "");
            DiscoveryAnnounce a = (DiscoveryAnnounce) codec.decode(exchange(s, query)).body();
            assertEquals(GATEWAY, a.gatewayId());
            String address = "127.0.0.1:" + udpPort();
            assertTrue(a.access().toString(), a.access().stream()
                    .anyMatch(x -> x.adapter().equals("udp") && x.address().equals(address) && !x.secure()));
            assertTrue(a.access().stream().anyMatch(x -> x.adapter().equals("ip")));
        }
        assertTrue(osgi.service(PneMessenger.class).link(EntityId.of("pne-look")).isEmpty());
    }

    @Test
    public void r02_pneWithUi_onUdp_euKeyThroughTheTunnel_thenPnWithLocalEuKey_overTheMessageLevelSession() throws Exception {
        PneClient valve = pne(config("pne-valve"), udp());
        valve.connect(EntityId.of(GATEWAY));
        valve.assignEuKey(USER, PASSWORD.toCharArray());
        PnState pn = valve.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(pn.serverAuthenticated());
        assertTrue(valve.secured());
        assertEquals("session", link("pne-valve").protectionName());
        assertEquals("udp", link("pne-valve").adapter());
        assertTrue(valve.requestServer(pn.pnId(), new Ping(new byte[] {9})) instanceof Pong);
    }

    @Test
    public void r03_restartedUdpPne_reconnectsWithItsLocalEuKey_withoutNewEstablishment() throws Exception {
        int pns = osgi.service(PnInventory.class).pnsOf("pne-valve").size();
        PneClient valve = pne(config("pne-valve"), udp());
        valve.connect(EntityId.of(GATEWAY));
        assertTrue(valve.secured());
        assertEquals("session", link("pne-valve").protectionName());
        assertTrue(valve.ping() != null);
        assertEquals(pns, osgi.service(PnInventory.class).pnsOf("pne-valve").size());
    }

    @Test
    public void r04_wrongKeyOnTheSegment_isRefused_andTheSegmentServesTheRightPneNext() throws Exception {
        Path dir = Path.of(ctx.getProperty("cpns.data")).resolve("pne-forged-udp");
        Files.createDirectories(dir);
        EncryptedFileStore forged = new EncryptedFileStore(dir, dir.resolve("master.key"));
        forged.put(PneClient.LOCAL_EUKEY, new byte[32]); // not the LocalEUKey the PN GW holds for pne-valve
        PneClient impostor = new PneClient(config("pne-valve"), udp(), forged);
        clients.add(impostor);
        assertEquals(ErrorCode.AUTH_FAILED, expect(() -> impostor.connect(EntityId.of(GATEWAY))).code());
        impostor.close();

        PneClient valve = pne(config("pne-valve"), udp());
        valve.connect(EntityId.of(GATEWAY));
        assertTrue(valve.ping() != null);
    }

    @Test
    public void r05_hostileDatagrams_oversizedAndGarbage_leaveTheSegmentServingPnes() throws Exception {
        PneClient valve = pne(config("pne-valve"), udp());
        valve.connect(EntityId.of(GATEWAY));
        Instant since = link("pne-valve").since();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            assertEquals("an oversized datagram without a link gets nothing", null, exchange(s, new byte[65001]));
            byte[] answer = exchange(s, new byte[] {(byte) 0xff, 0x00, 0x13}); // garbage opens a link; gw-pan refuses it
            assertTrue("a typed error or the link's end, never silence forever", answer != null);
        }
        for (int i = 0; i < 20; i++) { // many source addresses, each a link the gateway refuses
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort())));
            }
        }
        assertTrue(valve.ping() != null);
        assertEquals(since, link("pne-valve").since());
    }

    @Test
    public void r06_stoppingPanUdp_endsOnlyItsPnesLinks() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        PneClient valve = pne(config("pne-valve"), udp());
        valve.connect(EntityId.of(GATEWAY));
        AtomicInteger valveDrops = new AtomicInteger();
        AtomicInteger tvDrops = new AtomicInteger();
        valve.onDisconnect(valveDrops::incrementAndGet);
        tv.onDisconnect(tvDrops::incrementAndGet);
        Instant tvSince = link("pne-tv").since();

        osgi.bundle("io.cpns.pan.udp").stop();
        try {
            Osgi.eventually("pne-valve told its link ended (an empty datagram)", () -> valveDrops.get() == 1, () -> "");
            assertTrue(tv.ping() != null);
            assertEquals(tvSince, link("pne-tv").since());
            assertEquals(0, tvDrops.get());
        } finally {
            osgi.bundle("io.cpns.pan.udp").start();
        }
        Osgi.eventually("pne-valve back on UDP", () -> {
            try {
                valve.connect(EntityId.of(GATEWAY));
                return true;
            } catch (Exception e) {
                return false;
            }
        }, () -> "");
        assertEquals("session", link("pne-valve").protectionName());
    }
}
