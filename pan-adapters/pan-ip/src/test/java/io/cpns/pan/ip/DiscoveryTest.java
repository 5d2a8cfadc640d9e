package io.cpns.pan.ip;

import static io.cpns.pan.ip.IpGateway.GW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.testkit.Configs;
import io.cpns.testkit.RecordingPanContext;
import io.cpns.testkit.TestLogger;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CPNS Entity Discovery on the IP PAN, unicast over real UDP sockets on loopback (multicast is not relied on here). */
class DiscoveryTest {
    private static final EntityId ME = EntityId.of("pne-look");
    /** How long a test listens for an answer that must not come; the answer to a later query ends the wait sooner. */
    private static final int QUIET_MILLIS = 500;

    private final RecordingPanContext context = IpGateway.context();
    private final TestLogger log = new TestLogger("pan-ip");
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private IpPanAdapter adapter;
    private DatagramSocket pne;
    private int port;

    private void start(Map<String, Object> overrides) throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Map<String, Object> c = new HashMap<>(Map.of("host", "127.0.0.1", "port", 0, "discoveryPort", port, "announceSeconds", 0));
        c.putAll(overrides);
        adapter = new IpPanAdapter(Configs.of(IpPanAdapter.Config.class, c), log.logger());
        adapter.start(context);
        pne = socket("127.0.0.1");
    }

    private void start() throws Exception {
        start(Map.of());
    }

    private DatagramSocket socket(String address) throws Exception {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(address));
        s.setSoTimeout((int) RecordingPanContext.WAIT_MILLIS);
        sockets.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.stop();
        }
        sockets.forEach(DatagramSocket::close);
    }

    private byte[] query(EntityId src, long id) {
        return IpGateway.CODEC.encode(new Envelope(src, EntityId.BROADCAST, id, new DiscoveryQuery(EntityKind.PNE, Map.of())));
    }

    private static void send(DatagramSocket from, byte[] datagram, String to, int port) throws Exception {
        from.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress(InetAddress.getByName(to), port)));
    }

    private void send(byte[] datagram) throws Exception {
        send(pne, datagram, "127.0.0.1", port);
    }

    private Envelope receive(DatagramSocket on) throws Exception {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        on.receive(p);
        return IpGateway.CODEC.decode(Arrays.copyOf(p.getData(), p.getLength()));
    }

    /** Every answer arriving on {@code on} until it stays quiet for {@link #QUIET_MILLIS}: their total size. */
    private static List<Integer> answers(DatagramSocket on) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        on.setSoTimeout(QUIET_MILLIS);
        byte[] buf = new byte[2048];
        try {
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                on.receive(p);
                sizes.add(p.getLength());
            }
        } catch (SocketTimeoutException quiet) {
            return sizes;
        }
    }

    @Test
    void unicastQuery_isAnsweredWithAnAnnounce_toItsSender() throws Exception {
        start();
        send(query(ME, 77));
        Envelope e = receive(pne);
        assertEquals(77, e.id());
        assertEquals(ME, e.dst());
        assertEquals(GW.value(), assertInstanceOf(DiscoveryAnnounce.class, e.body()).gatewayId());
    }

    @Test
    void garbageAndNonQueries_getNoAnswer_andTheSocketKeepsAnswering() throws Exception {
        start();
        send(new byte[] {1, 2, 3});
        send(IpGateway.CODEC.encode(new Envelope(ME, GW, 5, new Ping(new byte[0]))));
        send(query(ME, 6));
        assertEquals(6, receive(pne).id(), "the first answer is the one to the query");
    }

    // ---- issue 10: bind where configured, refuse forbidden sources, bound the answers ----

    /** Issue 10: configured for 127.0.0.1, discovery listened on every interface. Any 127.x address is this host on Linux. */
    @Test
    void boundTo127001_isNotReachableOnAnotherLocalAddress() throws Exception {
        start(Map.of("host", "127.0.0.1"));
        send(pne, query(ME, 1), "127.0.0.2", port);
        send(pne, query(ME, 2), "127.0.0.1", port);
        assertEquals(2, receive(pne).id(), "only the query to the configured address is answered");
        assertEquals(List.of(), answers(pne));
    }

    @Test
    void boundToEveryAddress_whenConfiguredSo() throws Exception {
        start(Map.of("host", "0.0.0.0"));
        send(pne, query(ME, 1), "127.0.0.2", port);
        assertEquals(1, receive(pne).id());
    }

    /** The group's queries reach the group socket, joined on the interface of host (here lo), and are answered. */
    @Test
    void multicastQuery_onTheInterfaceOfHost_isAnswered() throws Exception {
        start(Map.of("host", "127.0.0.1"));
        java.net.NetworkInterface lo = java.net.NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        try (java.net.MulticastSocket m = new java.net.MulticastSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            m.setNetworkInterface(lo);
            m.setSoTimeout((int) RecordingPanContext.WAIT_MILLIS);
            byte[] q = query(ME, 5);
            m.send(new DatagramPacket(q, q.length, new InetSocketAddress(InetAddress.getByName("239.255.77.77"), port)));
            assertEquals(5, receive(m).id());
        }
    }

    /** Issue 10: a query claiming src=cpns.broadcast or the gateway's own ID was answered. */
    @Test
    void queriesClaimingTheBroadcastOrTheGatewaysId_getNoAnswer_andOneLogLine() throws Exception {
        start();
        for (int i = 0; i < 5; i++) {
            send(query(EntityId.BROADCAST, 10 + i));
            send(query(GW, 20 + i));
        }
        send(query(ME, 30));
        assertEquals(30, receive(pne).id(), "the first answer is the one to the honest query");
        assertEquals(List.of(), answers(pne));
        long lines = log.lines().stream().filter(l -> l.contains("discovery query") && l.contains("refused")).count();
        assertEquals(1, lines, log.all());
    }

    /**
     * Issue 10: answers were 2.8 times the size of queries, so a spoofed source got amplified
     * traffic. Answers to one source address are bounded ({@code discoveryAnswersPerSource} a
     * minute), whatever the number of queries: here 200 queries from one address get 3 answers.
     */
    @Test
    void answersToOneSource_areBoundedPerMinute_soQueriesAreNotAmplified() throws Exception {
        start(Map.of("discoveryAnswersPerSource", 3));
        long queryBytes = 0;
        for (int i = 0; i < 200; i++) {
            byte[] q = query(ME, i + 1);
            queryBytes += q.length;
            send(q);
        }
        List<Integer> sizes = answers(pne);
        long answerBytes = sizes.stream().mapToLong(Integer::longValue).sum();
        System.out.printf("[DiscoveryTest] 200 queries (%d bytes) from one address: %d answers (%d bytes), answer/query bytes %.3f%n",
                queryBytes, sizes.size(), answerBytes, (double) answerBytes / queryBytes);
        assertEquals(3, sizes.size());
        assertTrue(answerBytes <= queryBytes, "answers no larger than the queries in total");
        assertTrue(log.all().contains("discoveryAnswersPerSource"), "the limit is logged: " + log.all());
    }

    /** Many spoofed sources do not add up: {@code discoveryAnswersTotal} a minute for all sources together. */
    @Test
    void answersToAllSources_areBoundedPerMinute() throws Exception {
        start(Map.of("discoveryAnswersPerSource", 3, "discoveryAnswersTotal", 4));
        List<DatagramSocket> sources = new ArrayList<>();
        for (int a = 3; a <= 5; a++) {
            sources.add(socket("127.0.0." + a));
        }
        int id = 1;
        for (DatagramSocket s : sources) {
            for (int i = 0; i < 3; i++) {
                send(s, query(ME, id++), "127.0.0.1", port);
            }
        }
        int answered = 0;
        for (DatagramSocket s : sources) {
            answered += answers(s).size();
        }
        assertEquals(4, answered);
    }
}
