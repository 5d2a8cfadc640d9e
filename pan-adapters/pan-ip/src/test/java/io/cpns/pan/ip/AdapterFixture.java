package io.cpns.pan.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** One pan-ip adapter on loopback with a free port, the PNE sockets dialled to it, and the gateway's side recorded. */
final class AdapterFixture implements AutoCloseable {
    static final int MAX_FRAME = 1024;

    final TestLogger log = new TestLogger("pan-ip");
    final RecordingPanContext context = IpGateway.context();
    private final List<Socket> sockets = new ArrayList<>();
    IpPanAdapter adapter;

    IpPanAdapter start(Map<String, Object> overrides) throws IOException {
        Map<String, Object> c = new HashMap<>(Map.of("host", "127.0.0.1", "port", 0, "discoveryPort", 0,
                "maxFrameBytes", MAX_FRAME));
        c.putAll(overrides);
        adapter = new IpPanAdapter(Configs.of(IpPanAdapter.Config.class, c), log.logger());
        adapter.start(context);
        return adapter;
    }

    /** A PNE's TCP connection from 127.0.0.1. */
    Socket dial() throws IOException {
        return dial(InetAddress.getLoopbackAddress());
    }

    /** A PNE's TCP connection from {@code from} (any 127.x.y.z is this host on Linux). */
    Socket dial(InetAddress from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), adapter.port()), 2000);
        s.setSoTimeout((int) RecordingPanContext.WAIT_MILLIS);
        return s;
    }

    @Override
    public void close() throws IOException {
        if (adapter != null) {
            adapter.stop();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** The gateway closed the connection: end of stream (or a reset), never a read timeout. */
    static void assertClosedByGateway(InputStream in) {
        try {
            while (in.read() >= 0) {
                // bytes the gateway sent before closing (a TLS alert) are read through
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + RecordingPanContext.WAIT_MILLIS + " ms");
        } catch (IOException reset) {
            // connection reset: closed too
        }
    }

    /** Waits up to {@link RecordingPanContext#WAIT_MILLIS} for {@code condition}; fails with {@code what}'s message. */
    static void eventually(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + RecordingPanContext.WAIT_MILLIS * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what.get());
            }
            Thread.sleep(5);
        }
    }

    /** Slots held by connections, once every closed one has given its slot back. */
    void assertSlotsInUse(int expected) throws InterruptedException {
        eventually(() -> adapter.slotsInUse() == expected, () -> "slots in use: " + adapter.slotsInUse() + ", expected " + expected);
        assertEquals(expected, adapter.slotsInUse());
    }
}
