package io.cpns.pan.ip;

import static io.cpns.pan.ip.IpGateway.GW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.ErrorCode;
import io.cpns.codec.FrameReader;
import io.cpns.codec.FrameWriter;
import io.cpns.crypto.Randoms;
import io.cpns.pan.spi.PanSecurity;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import io.cpns.testkit.Configs;
import io.cpns.testkit.RecordingPanContext;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** pan-ip over real loopback sockets and real PSK-TLS (the PNE side is the project's TLS client, as in pne-sdk's IpTransport). */
class IpPanAdapterTest {
    private static final int MAX_FRAME = 1024;
    private static final int HANDSHAKE_MILLIS = 300;

    private final TestLogger log = new TestLogger("pan-ip");
    private final RecordingPanContext context = IpGateway.context();
    private final List<Socket> sockets = new ArrayList<>();
    private IpPanAdapter adapter;

    private IpPanAdapter start(Map<String, Object> overrides) throws IOException {
        Map<String, Object> c = new HashMap<>(Map.of("host", "127.0.0.1", "port", 0, "discoveryPort", 0,
                "maxFrameBytes", MAX_FRAME, "handshakeTimeoutMillis", HANDSHAKE_MILLIS));
        c.putAll(overrides);
        adapter = new IpPanAdapter(Configs.of(IpPanAdapter.Config.class, c), log.logger());
        adapter.start(context);
        return adapter;
    }

    private IpPanAdapter start() throws IOException {
        return start(Map.of());
    }

    @AfterEach
    void stop() throws IOException {
        if (adapter != null) {
            adapter.stop();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }

    private Socket dial() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), adapter.port()), 2000);
        s.setSoTimeout((int) RecordingPanContext.WAIT_MILLIS);
        return s;
    }

    /** The gateway closed the connection: end of stream (or a reset), never a read timeout. */
    private static void assertClosedByGateway(InputStream in) {
        try {
            assertEquals(-1, in.read(), "no byte expected before the close");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + RecordingPanContext.WAIT_MILLIS + " ms");
        } catch (IOException reset) {
            // connection reset: closed too
        }
    }

    /** A closed listener refuses connections; the close may take effect a moment after {@code stop()} returns. */
    private static boolean refusedWithin(int port, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                System.out.println("listener on " + port + " still accepting after stop()");
                Thread.sleep(10);
            } catch (IOException refused) {
                return true;
            }
        }
        return false;
    }

    private byte[] frame(int n) {
        return Randoms.bytes(n);
    }

    // ---- plain TCP ----

    @Test
    void plainConnection_carriesFramesBothWays_unauthenticated() throws Exception {
        start();
        Socket s = dial();
        FrameWriter out = new FrameWriter(s.getOutputStream(), MAX_FRAME);
        byte[] up = frame(100);
        out.write(up);
        RecordingPanContext.Link link = context.nextLink();
        assertArrayEquals(up, link.nextFrame());
        assertNull(link.connection.authenticatedIdentity());
        assertEquals(PanSecurity.NONE, link.connection.security());
        assertEquals("ip", link.connection.adapterId());

        byte[] down = frame(MAX_FRAME);
        link.connection.send(down);
        assertArrayEquals(down, new FrameReader(s.getInputStream(), MAX_FRAME).read());
    }

    @Test
    void plainConnection_onALanDeclaredSecure_isPanSecurity() throws Exception {
        start(Map.of("secure", true));
        Socket s = dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(frame(10));
        RecordingPanContext.Link link = context.nextLink();
        assertEquals(PanSecurity.FULL, link.connection.security());
        assertNull(link.connection.authenticatedIdentity());
        assertEquals(PanSecurity.FULL, adapter.security());
    }

    @Test
    void oversizedFrame_endsTheConnection_withFrameTooLarge() throws Exception {
        start();
        Socket s = dial();
        s.getOutputStream().write(new byte[] {0, 0, 0x10, 0}); // 4096 > 1024
        s.getOutputStream().flush();
        RecordingPanContext.Link link = context.nextLink();
        assertTrue(link.awaitClosed().contains(ErrorCode.FRAME_TOO_LARGE.name()), link.reason());
        assertTrue(link.frames.isEmpty());
        assertClosedByGateway(s.getInputStream());
    }

    /**
     * docs/protocol.md §1: a length above the limit is FRAME_TOO_LARGE; "the receiver sends an error
     * message if it can": the adapter reports the broken stream to the gateway, which answers (LinkTest).
     */
    @Test
    void oversizedFrame_isReportedAsBroken_soTheGatewayCanAnswerWithTheError() throws Exception {
        start();
        Socket s = dial();
        s.getOutputStream().write(new byte[] {0, 0, 0x10, 0});
        s.getOutputStream().flush();
        RecordingPanContext.Link link = context.nextLink();
        io.cpns.api.CpnsException e = link.broken.poll(RecordingPanContext.WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e == null ? null : e.code());
        link.awaitClosed();
        assertTrue(link.broken.isEmpty(), "reported once");
    }

    @Test
    void pneClosing_endsTheLinkOnce() throws Exception {
        start();
        Socket s = dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(frame(10));
        RecordingPanContext.Link link = context.nextLink();
        link.nextFrame();
        s.close();
        assertEquals("closed by the PNE", link.awaitClosed());
        link.connection.close();
        assertEquals(1, link.closes.get());
    }

    @Test
    void gatewayClosing_closesTheSocket_andEndsTheLinkOnce() throws Exception {
        start();
        Socket s = dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(frame(10));
        RecordingPanContext.Link link = context.nextLink();
        link.connection.close();
        link.connection.close();
        assertEquals("closed by the gateway", link.awaitClosed());
        assertClosedByGateway(s.getInputStream());
        assertEquals(1, link.closes.get());
    }

    @Test
    void silentConnection_isDroppedAfterTheHandshakeTimeout_withoutALink() throws Exception {
        start();
        Socket s = dial();
        long t0 = System.nanoTime();
        assertClosedByGateway(s.getInputStream()); // sends nothing, not even a first byte
        assertTrue(System.nanoTime() - t0 >= (HANDSHAKE_MILLIS - 50) * 1_000_000L, "dropped by the timeout, not at once");
        assertTrue(context.links.isEmpty(), "no link for a connection that never spoke");
    }

    @Test
    void idleConnection_isClosedAfterTheIdleTimeout() throws Exception {
        start(Map.of("idleTimeoutMillis", 200));
        Socket s = dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(frame(10));
        RecordingPanContext.Link link = context.nextLink();
        assertEquals("idle timeout", link.awaitClosed());
        assertClosedByGateway(s.getInputStream());
    }

    @Test
    void maxConnections_furtherConnectionsAreClosedAtOnce() throws Exception {
        start(Map.of("maxConnections", 1, "handshakeTimeoutMillis", 5000));
        Socket first = dial();
        new FrameWriter(first.getOutputStream(), MAX_FRAME).write(frame(10));
        context.nextLink();
        Socket second = dial();
        assertClosedByGateway(second.getInputStream());
        assertTrue(context.links.isEmpty());
    }

    @Test
    void maxConnections_aClosedLinkFreesItsSlot() throws Exception {
        start(Map.of("maxConnections", 1, "handshakeTimeoutMillis", 5000));
        Socket first = dial();
        new FrameWriter(first.getOutputStream(), MAX_FRAME).write(frame(10));
        RecordingPanContext.Link link = context.nextLink();
        link.connection.close();
        link.awaitClosed();
        Socket next = dial();
        new FrameWriter(next.getOutputStream(), MAX_FRAME).write(frame(10));
        assertEquals(10, context.nextLink().nextFrame().length);
    }

    @Test
    void maxConnections_aConnectionDroppedBeforeCpnsFreesItsSlot() throws Exception {
        start(Map.of("maxConnections", 1));
        Socket silent = dial();
        assertClosedByGateway(silent.getInputStream()); // handshake timeout
        // the socket is closed just before its slot is released: a dial in between may still be refused
        long deadline = System.nanoTime() + RecordingPanContext.WAIT_MILLIS * 1_000_000L;
        RecordingPanContext.Link link = null;
        while (link == null && System.nanoTime() < deadline) {
            Socket next = dial();
            try {
                new FrameWriter(next.getOutputStream(), MAX_FRAME).write(frame(10));
            } catch (IOException refused) {
                continue;
            }
            link = context.links.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        assertTrue(link != null, "a new connection was accepted once the silent one was dropped");
        assertEquals(10, link.nextFrame().length);
    }

    // ---- PSK-TLS ----

    @Test
    void pskTls_provesTheIdentity_andCarriesFramesBothWays() throws Exception {
        byte[] key = Randoms.bytes(32);
        context.keys.put("pne-a", key);
        start();
        TlsConnection tls = TlsClientEndpoint.psk(dial(), "pne-a", key, 2000, 2000);
        byte[] up = frame(200);
        new FrameWriter(tls.out(), MAX_FRAME).write(up);
        RecordingPanContext.Link link = context.nextLink();
        assertEquals("pne-a", link.connection.authenticatedIdentity());
        assertEquals(PanSecurity.FULL, link.connection.security());
        assertArrayEquals(up, link.nextFrame());
        byte[] down = frame(300);
        link.connection.send(down);
        assertArrayEquals(down, new FrameReader(tls.in(), MAX_FRAME).read());
    }

    @Test
    void pskTls_withTheWrongKey_failsTheHandshake_andReportsNoLink() throws Exception {
        context.keys.put("pne-a", Randoms.bytes(32));
        start();
        assertThrows(IOException.class, () -> TlsClientEndpoint.psk(dial(), "pne-a", Randoms.bytes(32), 2000, 2000));
        assertNextLinkIsAPlainOne();
    }

    @Test
    void pskTls_withAnIdentityTheGatewayHasNoKeyFor_failsTheHandshake() throws Exception {
        start();
        assertThrows(IOException.class, () -> TlsClientEndpoint.psk(dial(), "pne-x", Randoms.bytes(32), 2000, 2000));
        assertNextLinkIsAPlainOne();
    }

    /** The adapter reports connections in order: if the next one is a later plain connection, the failed one was never reported. */
    private void assertNextLinkIsAPlainOne() throws Exception {
        Socket s = dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(frame(10));
        assertNull(context.nextLink().connection.authenticatedIdentity());
    }

    // ---- lifecycle ----

    @Test
    void stop_closesEveryConnection_andTheListener() throws Exception {
        start();
        Socket s = dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(frame(10));
        RecordingPanContext.Link link = context.nextLink();
        int port = adapter.port();
        adapter.stop();
        link.awaitClosed();
        assertClosedByGateway(s.getInputStream());
        adapter = null;
        assertTrue(refusedWithin(port, RecordingPanContext.WAIT_MILLIS), "the listener still accepts after stop()");
    }

    /** gw-pan updates stop every adapter and start the same instances again (adapter-guide §2.1). */
    @Test
    void startedAgainAfterStop_servesPnes_onItsNewPort() throws Exception {
        start();
        adapter.stop();
        adapter.start(context);
        assertEquals(List.of("127.0.0.1:" + adapter.port()), adapter.addresses());
        Socket s = dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(frame(10));
        assertEquals(10, context.nextLink().nextFrame().length);
    }

    @Test
    void addresses_areHostAndBoundPort_unlessAdvertised() throws Exception {
        start();
        assertEquals(List.of("127.0.0.1:" + adapter.port()), adapter.addresses());
        adapter.stop();
        start(Map.of("advertise", "192.168.1.2:7800"));
        assertEquals(List.of("192.168.1.2:7800"), adapter.addresses());
    }
}
