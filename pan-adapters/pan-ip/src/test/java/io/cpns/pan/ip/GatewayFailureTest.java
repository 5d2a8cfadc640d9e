package io.cpns.pan.ip;

import static io.cpns.pan.ip.AdapterFixture.MAX_FRAME;
import static io.cpns.pan.ip.AdapterFixture.assertClosedByGateway;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.codec.FrameWriter;
import io.cpns.crypto.Randoms;
import io.cpns.testkit.RecordingPanContext;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: a frame whose error detail could not be encoded made {@code Link.fail} throw an
 * {@code IllegalStateException} out of the connection's loop; the thread died, the socket stayed in
 * CLOSE_WAIT, the slot was never released, and 2000 such frames took the IP PAN down. Whatever the
 * gateway throws, the connection is closed and its slot freed. Real loopback sockets.
 */
class GatewayFailureTest {
    private final AdapterFixture f = new AdapterFixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private Socket pneSendingOneFrame() throws Exception {
        Socket s = f.dial();
        new FrameWriter(s.getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
        return s;
    }

    @Test
    void gatewayThrowingOnAFrame_closesTheSocket_tellsTheGatewayOnce_andFreesTheSlot() throws Exception {
        f.start(Map.of());
        f.context.failFrames = new IllegalStateException("error detail not encodable");
        Socket s = pneSendingOneFrame();
        RecordingPanContext.Link link = f.context.nextLink();
        assertClosedByGateway(s.getInputStream());
        assertTrue(link.awaitClosed().startsWith("internal error"), link.reason());
        assertEquals(1, link.closes.get());
        f.assertSlotsInUse(0);
    }

    @Test
    void gatewayThrowingWhileAnsweringABrokenStream_closesTheSocket_andFreesTheSlot() throws Exception {
        f.start(Map.of());
        f.context.failBroken = new IllegalStateException("error detail not encodable");
        Socket s = f.dial();
        s.getOutputStream().write(new byte[] {0, 0, 0x10, 0}); // FRAME_TOO_LARGE: the gateway's broken() answers it
        s.getOutputStream().flush();
        RecordingPanContext.Link link = f.context.nextLink();
        assertClosedByGateway(s.getInputStream());
        link.awaitClosed();
        f.assertSlotsInUse(0);
    }

    @Test
    void gatewayThrowingWhenTheConnectionIsReported_closesTheSocket_andFreesTheSlot() throws Exception {
        f.start(Map.of());
        f.context.failConnected = new IllegalStateException("gateway bug");
        Socket s = pneSendingOneFrame();
        assertClosedByGateway(s.getInputStream());
        f.assertSlotsInUse(0);
    }

    /** The campaign's 2000 frames, scaled down: far more failing connections than slots, one after another. */
    @Test
    void manyFailingConnections_neverExhaustTheSlots_andTheStackIsLoggedOnce() throws Exception {
        f.start(Map.of("maxConnections", 3));
        f.context.failFrames = new IllegalStateException("error detail not encodable");
        for (int i = 0; i < 20; i++) {
            Socket s = pneSendingOneFrame();
            f.context.nextLink(); // accepted and reported: a slot was free
            assertClosedByGateway(s.getInputStream());
            f.assertSlotsInUse(0);
        }
        long lines = f.log.lines().stream().filter(l -> l.contains("error detail not encodable")).count();
        assertEquals(1, lines, f.log.all());
    }
}
