package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.testkit.TestLogger;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded broker against clients that do not play by the rules, on real sockets (docs/security.md §10.6). */
class EmbeddedBrokerHostileTest {
    private static final TestLogger LOG = new TestLogger("gw-mqtt");
    private static GroupBrokerComponent broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedBrokerTest.embedded(0, LOG);
    }

    @AfterAll
    static void stop() {
        broker.deactivate();
    }

    /**
     * CVE-2026-44248: Netty's MQTT decoder up to 4.1.132 read an MQTT 5 CONNECT's properties before
     * checking the message size, buffering and re-parsing all of them (one 12 MB CONNECT: 8 s, ~45
     * MB). The broker must close such a connection once it has seen more than its maximum message
     * size, long before the announced 16 MiB, and hold no buffer of that size.
     */
    @Test
    void hugeMqtt5Connect_isCutOffEarly_andNothingOfItsSizeIsHeld() throws Exception {
        int announced = 16 << 20;
        int block = 1 << 20;
        byte[] chunk = RawMqtt.userProperties(64 * 1024 / 7);
        long heldBefore = heldMemory();
        long sent;
        long peak = 0;
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            byte[] head = RawMqtt.mqtt5ConnectHead(announced);
            raw.write(head);
            sent = head.length;
            while (sent < announced) {
                long n = raw.flood(chunk, Math.min(block, announced - sent));
                sent += n;
                peak = Math.max(peak, heldMemory() - heldBefore);
                if (n < block) {
                    break; // the broker closed the connection
                }
            }
        }
        System.out.printf("EmbeddedBrokerHostileTest: MQTT 5 CONNECT announcing %d bytes: %d bytes written before the broker "
                + "closed the connection, at most %d bytes more memory held meanwhile%n", announced, sent, peak);
        assertTrue(sent < announced, "the broker read the whole " + announced + " byte CONNECT");
        // Netty's pool takes memory in 4 MiB chunks per event loop: one such chunk is no sign of buffering
        assertTrue(peak < announced / 2, "held " + peak + " bytes while reading it");
    }

    /** Java heap after a collection, plus what Netty's pooled allocator holds (its buffers are mostly off-heap). */
    private static long heldMemory() {
        System.gc();
        var m = PooledByteBufAllocator.DEFAULT.metric();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + m.usedDirectMemory() + m.usedHeapMemory();
    }

    @Test
    void legitimatePne_stillConnectsAfterTheAttacks() throws Exception {
        String u = "pne-after-" + System.nanoTime();
        broker.grant(u, "pw-after".toCharArray(), java.util.Set.of("cpns/gk/after"));
        try (Pne p = Pne.connect(broker.uri(), u, "pw-after")) {
            assertEquals(1, p.subscribe("cpns/gk/after"));
        }
    }
}
