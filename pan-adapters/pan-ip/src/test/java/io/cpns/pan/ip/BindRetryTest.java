package io.cpns.pan.ip;

import static io.cpns.pan.ip.AdapterFixture.MAX_FRAME;
import static io.cpns.pan.ip.AdapterFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.codec.FrameWriter;
import io.cpns.crypto.Randoms;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: an IP adapter restart failed for good with {@code BindException: Address already in
 * use}, and health still said READY. The adapter now keeps trying to bind, with back-off, and says
 * what is wrong through {@code HealthContributor} meanwhile. The port is taken by a real socket.
 */
class BindRetryTest {
    private final AdapterFixture f = new AdapterFixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void tcpPortTaken_adapterStartsAnyway_healthSaysSo_andItBindsOnceThePortIsFree() throws Exception {
        ServerSocket taken = new ServerSocket();
        taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = taken.getLocalPort();
        f.start(Map.of("port", port, "bindRetryMillis", 50));

        List<String> problems = f.adapter.problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("pan-ip cannot bind TCP port " + port), problems.get(0));
        assertTrue(problems.get(0).contains("retrying"), problems.get(0));
        assertEquals(List.of(), f.adapter.addresses(), "nothing to announce while unbound");

        taken.close();
        eventually(() -> f.adapter.problems().isEmpty(), () -> "still not bound: " + f.adapter.problems());
        assertEquals(List.of("127.0.0.1:" + port), f.adapter.addresses());
        new FrameWriter(f.dial().getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
        assertEquals(10, f.context.nextLink().nextFrame().length);
        assertTrue(f.log.all().contains("retrying"), f.log.all());
    }

    @Test
    void discoveryPortTaken_healthSaysSo_untilItBinds() throws Exception {
        DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        int port = taken.getLocalPort();
        f.start(Map.of("discoveryPort", port, "announceSeconds", 0, "bindRetryMillis", 50));

        List<String> problems = f.adapter.problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("pan-ip cannot bind discovery UDP port " + port), problems.get(0));

        taken.close();
        eventually(() -> f.adapter.problems().isEmpty(), () -> "still not bound: " + f.adapter.problems());
    }

    @Test
    void stoppedWhileRetrying_stopsRetrying_andLeavesThePortAlone() throws Exception {
        ServerSocket taken = new ServerSocket();
        taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = taken.getLocalPort();
        f.start(Map.of("port", port, "bindRetryMillis", 50));
        f.adapter.stop();
        f.adapter = null;
        taken.close();
        Thread.sleep(200); // several retry periods: a retry still scheduled would bind now
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // fails if the stopped adapter bound it
        }
    }
}
