package io.cpns.pan.ip;

import static io.cpns.pan.ip.AdapterFixture.MAX_FRAME;
import static io.cpns.pan.ip.AdapterFixture.assertClosedByGateway;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.codec.FrameWriter;
import io.cpns.crypto.Randoms;
import io.cpns.testkit.RecordingPanContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: a TLS byte every 4 s, or one byte per 300 s, held a PAN slot and a thread for ever,
 * because every timeout was per read. Now a connection must finish sniffing and PSK-TLS within
 * one deadline, a plain one deliver its first whole frame within another, and every link a whole
 * frame per idle timeout; and unauthenticated connections are limited per source address. The PNEs
 * here drip a byte every 50 ms, well inside every per-read timeout, over real loopback sockets.
 */
class SlowConnectionsTest {
    private static final int DRIP_MILLIS = 50;

    private final AdapterFixture f = new AdapterFixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    /** Writes {@code first}, then one zero byte every {@link #DRIP_MILLIS} until the gateway closes the socket. */
    private static Thread drip(Socket s, byte[] first) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(first);
        out.flush();
        Thread t = new Thread(() -> {
            try {
                while (!s.isClosed()) {
                    Thread.sleep(DRIP_MILLIS);
                    out.write(0);
                    out.flush();
                }
            } catch (IOException | InterruptedException closed) {
                // the gateway closed it: done
            }
        }, "test-drip");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void tlsHandshakeDrippedByteByByte_isClosedAtTheHandshakeDeadline_andFreesItsSlot() throws Exception {
        f.start(Map.of("handshakeTimeoutMillis", 400));
        Socket s = f.dial();
        drip(s, new byte[] {0x16, 0x03, 0x01, 0x40, 0x00}); // a ClientHello record of 16 KiB, never finished
        assertClosedByGateway(s.getInputStream());
        f.assertSlotsInUse(0);
        assertTrue(f.context.links.isEmpty(), "no link for a handshake that never finished");
    }

    @Test
    void plainConnectionDrippingItsFirstFrame_isClosedAtTheFirstFrameDeadline_andFreesItsSlot() throws Exception {
        f.start(Map.of("firstFrameTimeoutMillis", 400, "idleTimeoutMillis", 60000));
        Socket s = f.dial();
        drip(s, new byte[] {0, 0, 1, 0}); // a 256-byte frame, a byte at a time
        assertClosedByGateway(s.getInputStream());
        f.assertSlotsInUse(0);
    }

    @Test
    void linkDrippingItsNextFrame_isClosedAtTheIdleTimeout() throws Exception {
        f.start(Map.of("idleTimeoutMillis", 400));
        Socket s = f.dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
        RecordingPanContext.Link link = f.context.nextLink();
        link.nextFrame();
        drip(s, new byte[] {0, 0, 1, 0});
        assertClosedByGateway(s.getInputStream());
        assertEquals("idle timeout", link.awaitClosed());
        f.assertSlotsInUse(0);
    }

    @Test
    void unauthenticatedConnectionsPerAddress_theNextOneIsRefused_withThrottledLogLines() throws Exception {
        f.start(Map.of("maxUnauthenticatedPerAddress", 2));
        for (int i = 0; i < 2; i++) {
            new FrameWriter(f.dial().getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
            f.context.nextLink();
        }
        for (int i = 0; i < 20; i++) {
            Socket refused = f.dial();
            assertClosedByGateway(refused.getInputStream());
        }
        assertTrue(f.context.links.isEmpty(), "no link for a refused connection");
        long lines = f.log.lines().stream().filter(l -> l.contains("maxUnauthenticatedPerAddress")).count();
        assertTrue(lines >= 1 && lines < 20, "one line per refusal at most, throttled: " + lines + "\n" + f.log.all());

        Socket other = f.dial(InetAddress.getByName("127.0.0.2")); // another address has its own count
        new FrameWriter(other.getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
        assertEquals(10, f.context.nextLink().nextFrame().length);
    }

    @Test
    void unauthenticatedConnectionsPerAddress_aClosedOneGivesItsPlaceBack() throws Exception {
        f.start(Map.of("maxUnauthenticatedPerAddress", 1));
        new FrameWriter(f.dial().getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
        RecordingPanContext.Link first = f.context.nextLink();
        first.connection.close();
        first.awaitClosed();
        new FrameWriter(f.dial().getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
        assertEquals(10, f.context.nextLink().nextFrame().length);
    }

    @Test
    void plainLinksOnALanDeclaredSecure_areNotCountedAsUnauthenticated() throws Exception {
        f.start(Map.of("maxUnauthenticatedPerAddress", 1, "secure", true));
        for (int i = 0; i < 3; i++) {
            new FrameWriter(f.dial().getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
            assertEquals(10, f.context.nextLink().nextFrame().length);
        }
    }
}
