package io.cpns.pan.ip;

import static io.cpns.pan.ip.TestContext.GW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CPNS Entity Discovery on the IP PAN, unicast on loopback (multicast is not relied on here). */
class DiscoveryTest {
    private final TestContext context = new TestContext();
    private IpPanAdapter adapter;
    private DatagramSocket pne;
    private int port;

    @BeforeEach
    void start() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        adapter = new IpPanAdapter(Configs.of(IpPanAdapter.Config.class, Map.of("port", 0, "discoveryPort", port,
                "announceSeconds", 0)), new TestLogger("pan-ip").logger());
        adapter.start(context);
        pne = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        pne.setSoTimeout((int) TestContext.WAIT_MILLIS);
    }

    @AfterEach
    void stop() {
        adapter.stop();
        pne.close();
    }

    private void send(byte[] datagram) throws Exception {
        pne.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
    }

    private Envelope receive() throws Exception {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        pne.receive(p);
        return context.codec.decode(Arrays.copyOf(p.getData(), p.getLength()));
    }

    @Test
    void unicastQuery_isAnsweredWithAnAnnounce_toItsSender() throws Exception {
        EntityId me = EntityId.of("pne-look");
        send(context.codec.encode(new Envelope(me, EntityId.BROADCAST, 77, new DiscoveryQuery(EntityKind.PNE, Map.of()))));
        Envelope e = receive();
        assertEquals(77, e.id());
        assertEquals(me, e.dst());
        assertEquals(GW.value(), assertInstanceOf(DiscoveryAnnounce.class, e.body()).gatewayId());
    }

    @Test
    void garbageAndNonQueries_getNoAnswer_andTheSocketKeepsAnswering() throws Exception {
        EntityId me = EntityId.of("pne-look");
        send(new byte[] {1, 2, 3});
        send(context.codec.encode(new Envelope(me, GW, 5, new Ping(new byte[0]))));
        send(context.codec.encode(new Envelope(me, EntityId.BROADCAST, 6, new DiscoveryQuery(EntityKind.PNE, Map.of()))));
        assertEquals(6, receive().id(), "the first answer is the one to the query");
        assertEquals(3, context.discoveryQueries.get());
    }
}
