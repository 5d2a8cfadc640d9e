package io.cpns.pan.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.ErrorCode;
import io.cpns.pan.spi.PanSecurity;
import io.cpns.testkit.Configs;
import io.cpns.testkit.ManualClock;
import io.cpns.testkit.RecordingPanContext;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter guide's test matrix (docs/adapter-guide.md §9) with real UDP sockets on loopback:
 * discovery answered without a link, frames of one peer in order on one connection, exactly one
 * {@code closed} for a reset, an idle timeout and {@code stop()}, {@code send} after the end
 * throws; and hostile input (oversized datagrams, a flood of source addresses, a discovery flood,
 * a gateway bug) bounded, typed, and logged once.
 */
class UdpPanAdapterTest {
    private static final byte[] ANNOUNCEMENT = text("announce gw-home");

    private final RecordingPanContext context = new RecordingPanContext("gw-home", ANNOUNCEMENT,
            q -> new String(q, StandardCharsets.UTF_8).equals("disc?") ? text("answer gw-home") : null);
    private final TestLogger log = new TestLogger("pan-udp");
    private final ManualClock clock = new ManualClock();
    private final List<UdpPeer> peers = new ArrayList<>();
    private UdpPanAdapter adapter;
    private int port;

    private void start(Map<String, Object> overrides) throws Exception {
        Map<String, Object> c = new HashMap<>(Map.of("port", 0));
        c.putAll(overrides);
        adapter = new UdpPanAdapter(Configs.of(UdpPanAdapter.Config.class, c), log.logger(), clock);
        adapter.start(context);
        awaitBound();
    }

    /** start() returns at once and the reader binds: waits for the bound address. */
    private void awaitBound() throws InterruptedException {
        long deadline = System.nanoTime() + RecordingPanContext.WAIT_MILLIS * 1_000_000L;
        while (adapter.addresses().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not bound within " + RecordingPanContext.WAIT_MILLIS + " ms: " + adapter.problems());
            }
            Thread.sleep(5);
        }
        String address = adapter.addresses().get(0);
        port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private UdpPeer peer() throws IOException {
        UdpPeer p = new UdpPeer(port);
        peers.add(p);
        return p;
    }

    /** A peer with a link: its first frame {@code first} reported on a new connection. */
    private RecordingPanContext.Link link(UdpPeer p, String first) throws Exception {
        p.send(first);
        RecordingPanContext.Link l = context.nextLink();
        assertEquals(first, new String(l.nextFrame(), StandardCharsets.UTF_8));
        return l;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private long logged(String fragment) {
        return log.lines().stream().filter(l -> l.contains(fragment)).count();
    }

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.stop();
        }
        peers.forEach(UdpPeer::close);
    }

    @Test
    void theAdapter_isAnInsecurePan_namedUdp_withItsBoundAddress() throws Exception {
        start(Map.of());
        assertEquals("udp", adapter.id());
        assertEquals(PanSecurity.NONE, adapter.security());
        assertEquals(65000, adapter.maxFrameBytes());
        assertEquals(List.of("127.0.0.1:" + port), adapter.addresses());
        RecordingPanContext.Link l = link(peer(), "hello");
        assertNull(l.connection.authenticatedIdentity(), "nothing on plain UDP proves a PSK");
        assertEquals(PanSecurity.NONE, l.connection.security());
        assertEquals("udp", l.connection.adapterId());
    }

    @Test
    void discoveryDatagram_isAnswered_andCreatesNoLink() throws Exception {
        start(Map.of());
        UdpPeer p = peer();
        p.send("disc?");
        assertEquals("answer gw-home", p.receiveText());
        link(p, "hello"); // the first link of this address starts with its first frame, not the query
        assertTrue(context.links.isEmpty(), "one link, for the frame only");
    }

    @Test
    void framesOfOnePeer_arriveInOrder_onOneConnection_andRepliesReachIt() throws Exception {
        start(Map.of());
        UdpPeer p = peer();
        RecordingPanContext.Link l = link(p, "f0");
        for (int i = 1; i < 50; i++) {
            p.send("f" + i);
        }
        for (int i = 1; i < 50; i++) {
            assertEquals("f" + i, new String(l.nextFrame(), StandardCharsets.UTF_8));
        }
        assertTrue(context.links.isEmpty(), "later frames stay on the same link");
        assertEquals(p.address(), l.connection.remote());
        l.connection.send(text("pong"));
        assertEquals("pong", p.receiveText());
    }

    @Test
    void twoPeers_haveTwoLinks() throws Exception {
        start(Map.of());
        RecordingPanContext.Link a = link(peer(), "from a");
        RecordingPanContext.Link b = link(peer(), "from b");
        assertTrue(a.connection != b.connection);
        assertEquals(2, adapter.links());
    }

    @Test
    void emptyDatagram_resetsTheLink_closedOnce_andTheNextFrameStartsANewLink() throws Exception {
        start(Map.of());
        UdpPeer p = peer();
        RecordingPanContext.Link old = link(p, "hello");
        p.send(new byte[0]);
        assertEquals("link reset by the PNE", old.awaitClosed());
        RecordingPanContext.Link next = link(p, "again");
        assertTrue(next.connection != old.connection);
        assertEquals(1, old.closes.get());
        assertTrue(old.frames.isEmpty(), "no frame after closed");
    }

    @Test
    void idleTimeout_endsTheLinkOnce_andTellsThePne() throws Exception {
        start(Map.of("idleTimeoutSeconds", 30));
        UdpPeer p = peer();
        RecordingPanContext.Link l = link(p, "hello");
        clock.advance(Duration.ofSeconds(31));
        assertEquals("idle for 30 s", l.awaitClosed());
        assertArrayEquals(new byte[0], p.receive(), "the PNE is told its link is over");
        assertThrows(IOException.class, () -> l.connection.send(text("late")));
        assertEquals(1, l.closes.get());
        assertEquals(0, adapter.links());
    }

    @Test
    void aPeerThatSpeaks_isNotIdle() throws Exception {
        start(Map.of("idleTimeoutSeconds", 30));
        UdpPeer p = peer();
        RecordingPanContext.Link l = link(p, "hello");
        clock.advance(Duration.ofSeconds(20));
        p.send("still here");
        l.nextFrame();
        clock.advance(Duration.ofSeconds(20)); // 40 s after the first frame, 20 s after the last
        p.send("and here");
        l.nextFrame(); // the reader swept at least once meanwhile (it sweeps before each receive)
        assertEquals(0, l.closes.get());
    }

    @Test
    void stop_endsEveryLinkOnce_tellsEachPne_freesThePort_andTheSameInstanceStartsAgain() throws Exception {
        start(Map.of());
        UdpPeer a = peer();
        UdpPeer b = peer();
        RecordingPanContext.Link la = link(a, "a");
        RecordingPanContext.Link lb = link(b, "b");
        int bound = port;
        adapter.stop();
        assertEquals("PAN adapter stopped", la.awaitClosed());
        assertEquals("PAN adapter stopped", lb.awaitClosed());
        assertArrayEquals(new byte[0], a.receive());
        assertArrayEquals(new byte[0], b.receive());
        assertEquals(List.of(), adapter.addresses());
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound))) {
            assertEquals(bound, again.getLocalPort(), "the port is free after stop()");
        }
        adapter.start(context);
        awaitBound();
        link(peer(), "back");
        assertEquals(1, la.closes.get());
        assertEquals(1, lb.closes.get());
    }

    @Test
    void gatewayClose_tellsThePne_closedOnce_andSendAfterTheEndThrows() throws Exception {
        start(Map.of());
        UdpPeer p = peer();
        RecordingPanContext.Link l = link(p, "hello");
        l.connection.close();
        l.connection.close();
        assertEquals("closed by the gateway", l.awaitClosed());
        assertArrayEquals(new byte[0], p.receive());
        assertThrows(IOException.class, () -> l.connection.send(text("late")));
        assertEquals(1, l.closes.get());
    }

    @Test
    void send_ofAFrameThisPanCannotCarry_throws() throws Exception {
        start(Map.of("maxFrameBytes", 100));
        RecordingPanContext.Link l = link(peer(), "hello");
        assertThrows(IOException.class, () -> l.connection.send(new byte[101]));
        assertThrows(IOException.class, () -> l.connection.send(new byte[0]), "an empty datagram would be a link reset");
    }

    @Test
    void oversizedDatagram_onALink_isFrameTooLarge_whileTheLimitItselfPasses() throws Exception {
        start(Map.of("maxFrameBytes", 100));
        UdpPeer p = peer();
        RecordingPanContext.Link l = link(p, "hello");
        p.send(new byte[100]);
        assertEquals(100, l.nextFrame().length);
        p.send(new byte[101]);
        var e = l.broken.poll(RecordingPanContext.WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        assertTrue(l.frames.isEmpty(), "the oversized datagram is not a frame");
    }

    @Test
    void oversizedDatagrams_withoutALink_areDropped_withOneLogLine() throws Exception {
        start(Map.of("maxFrameBytes", 100));
        UdpPeer p = peer();
        for (int i = 0; i < 20; i++) {
            p.send(new byte[1000]);
        }
        link(p, "hello"); // processed in order: every oversized datagram before it was dropped
        assertTrue(context.links.isEmpty());
        assertEquals(1, logged("datagram of more than 100 bytes"), log.all());
    }

    @Test
    void malformedDatagram_isHandedOnAsAFrame_forTheGatewayToRefuse() throws Exception {
        start(Map.of());
        byte[] garbage = {(byte) 0xff, 0x00, 0x13, 0x37};
        UdpPeer p = peer();
        p.send(garbage);
        assertArrayEquals(garbage, context.nextLink().nextFrame(), "the adapter never parses; gw-pan answers MALFORMED");
    }

    @Test
    void floodFromManySourceAddresses_isBoundedByMaxPeers_refusedWithAReset_andLoggedOnce() throws Exception {
        start(Map.of("maxPeers", 3));
        List<RecordingPanContext.Link> admitted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            admitted.add(link(peer(), "peer " + i));
        }
        for (int i = 0; i < 10; i++) {
            UdpPeer extra = peer();
            extra.send("let me in");
            assertArrayEquals(new byte[0], extra.receive(), "refused: told with an empty datagram");
        }
        assertTrue(context.links.isEmpty(), "no link beyond maxPeers");
        assertEquals(3, adapter.links());
        assertEquals(1, logged("(maxPeers)"), log.all());
        admitted.get(0).connection.close();
        admitted.get(0).awaitClosed();
        link(peer(), "a slot is free again");
    }

    @Test
    void discoveryFlood_isAnsweredWithinTheBudget_andLoggedOnce() throws Exception {
        start(Map.of("discoveryAnswersPerMinute", 2));
        UdpPeer p = peer();
        for (int i = 0; i < 6; i++) {
            p.send("disc?");
        }
        link(p, "hello"); // every query before it was handled
        assertEquals(2, p.drain(300), "two answers this minute");
        assertEquals(1, logged("(discoveryAnswersPerMinute)"), log.all());
        clock.advance(Duration.ofMinutes(1));
        UdpPeer q = peer();
        q.send("disc?");
        assertEquals("answer gw-home", q.receiveText(), "the next minute's budget");
    }

    @Test
    void gatewayBugOnAFrame_endsThatLinkOnly_loggedOnce_andTheReaderGoesOn() throws Exception {
        start(Map.of());
        RecordingPanContext.Link healthy = link(peer(), "healthy");
        link(peer(), "sync"); // the reader has left healthy's frame() (it may still check failFrames after recording)
        context.failFrames = new IllegalStateException("gateway bug");
        for (int i = 0; i < 5; i++) {
            UdpPeer p = peer();
            p.send("boom " + i);
            RecordingPanContext.Link failed = context.nextLink();
            assertTrue(failed.awaitClosed().startsWith("internal error"), failed.reason());
            assertArrayEquals(new byte[0], p.receive(), "the PNE is told its link is over");
        }
        assertEquals(1, logged("unexpected java.lang.IllegalStateException"), log.all());
        context.failFrames = null;
        link(peer(), "after");
        assertEquals(0, healthy.closes.get(), "other links untouched: " + healthy.reason());
    }

    @Test
    void gatewayBugOnConnected_endsThatLink_andTheReaderGoesOn() throws Exception {
        start(Map.of());
        context.failConnected = new IllegalStateException("gateway bug");
        peer().send("hello");
        assertTrue(context.nextLink().awaitClosed().startsWith("internal error"));
        context.failConnected = null;
        link(peer(), "again");
    }

    @Test
    void aPortInUse_isRetried_reportedToHealth_andBoundOnceFree() throws Exception {
        DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int wanted = taken.getLocalPort();
        adapter = new UdpPanAdapter(Configs.of(UdpPanAdapter.Config.class, Map.of("port", wanted, "bindRetryMillis", 20)),
                log.logger(), clock);
        adapter.start(context); // returns at once although the port is taken
        long deadline = System.nanoTime() + RecordingPanContext.WAIT_MILLIS * 1_000_000L;
        while (adapter.problems().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(adapter.problems().get(0).startsWith("pan-udp cannot bind 127.0.0.1:" + wanted), adapter.problems().toString());
        assertEquals(List.of(), adapter.addresses(), "nothing announced while unbound");
        taken.close();
        awaitBound();
        assertEquals(wanted, port);
        assertEquals(List.of(), adapter.problems());
        link(peer(), "hello");
    }

    @Test
    void stop_whileTheBindIsRetried_endsTheReader() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            adapter = new UdpPanAdapter(Configs.of(UdpPanAdapter.Config.class, Map.of("port", taken.getLocalPort())),
                    log.logger(), clock);
            adapter.start(context);
            adapter.stop();
            assertEquals(List.of(), adapter.problems());
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("cpns-pan-udp-" + taken.getLocalPort())),
                    "the reader ended");
        }
    }

    @Test
    void settings_outsideWhatUdpCarries_areRefusedAtActivation() {
        assertThrows(IllegalArgumentException.class,
                () -> new UdpPanAdapter(Configs.of(UdpPanAdapter.Config.class, Map.of("maxFrameBytes", 65508)), log.logger(), clock));
        assertThrows(IllegalArgumentException.class,
                () -> new UdpPanAdapter(Configs.of(UdpPanAdapter.Config.class, Map.of("maxPeers", 0)), log.logger(), clock));
    }
}
