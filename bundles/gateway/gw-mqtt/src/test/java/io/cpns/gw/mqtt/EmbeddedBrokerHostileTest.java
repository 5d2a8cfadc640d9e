package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.testkit.TestLogger;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker against clients that do not play by the rules, on real sockets (docs/security.md
 * §10.6). A broker per test: its log lines per peer address are throttled.
 */
class EmbeddedBrokerHostileTest {
    private final TestLogger log = new TestLogger("gw-mqtt");
    private final ByteArrayOutputStream brokerOutput = new ByteArrayOutputStream();
    private PrintStream stderr;
    private GroupBrokerComponent broker;

    @BeforeEach
    void start() {
        stderr = System.err; // slf4j-simple writes Moquette's and Netty's own lines (and stack traces) there
        System.setErr(new PrintStream(new EmbeddedBrokerLoadTest.TeeStream(stderr, brokerOutput), true, StandardCharsets.UTF_8));
        broker = EmbeddedBrokerTest.embedded(0, log);
    }

    @AfterEach
    void stop() {
        broker.deactivate();
        System.setErr(stderr);
    }

    /** The lines logged about one connection: each names the peer's address and port. */
    private List<String> linesAbout(RawMqtt raw) {
        String peer = "/127.0.0.1:" + raw.socket.getLocalPort() + " ";
        return log.lines().stream().filter(l -> l.contains(peer)).toList();
    }

    /** A packet Netty's decoder refuses: one line with the reason, the connection closed, no stack trace anywhere. */
    @Test
    void malformedPacket_closesTheConnection_withOneLogLine_andNoStackTrace() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            // a CONNECT whose protocol name is not MQTT
            raw.write(new byte[] {0x10, 12, 0, 4, 'X', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 0});
            raw.readUntilClosed();
            List<String> lines = linesAbout(raw);
            assertEquals(1, lines.size(), log.all());
            assertTrue(lines.get(0).contains("closed by the broker: malformed MQTT packet"), lines.get(0));
        }
        String out = brokerOutput.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\tat "), "a stack trace:\n" + out);
    }

    /** Issue 10: an MQTT user name with a newline forged an ERROR line in gateway.log. */
    @Test
    void userNameWithANewline_isLoggedEscaped_andForgesNoLine() throws Exception {
        String forged = "pne-x\nERROR gw-mqtt the Server's EUKey was revoked\r";
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            raw.write(RawMqtt.connect311(forged, forged, "nope"));
            byte[] answer = raw.readUntilClosed();
            assertEquals(0x20, answer[0], "a CONNACK");
            assertEquals(4, answer[3], "bad user name or password");
            List<String> lines = linesAbout(raw);
            assertEquals(1, lines.size(), log.all());
            assertTrue(lines.get(0).contains("user 'pne-x?ERROR gw-mqtt the Server's EUKey was revoked?'"), lines.get(0));
        }
        for (String line : log.lines()) {
            assertFalse(line.chars().anyMatch(Character::isISOControl), "a control character in: " + line);
        }
    }

    /**
     * MQTT 3.1.1 §3.1.4: a client need not wait for its CONNACK. A SUBSCRIBE right behind the CONNECT
     * (one TCP write) closed the connection before its SUBACK in Moquette 0.17 ("SUBSCRIBE received
     * on already closed connection", on stderr only); the same race hit Paho clients under load.
     */
    @Test
    void subscribeRightBehindTheConnect_getsItsSuback() throws Exception {
        String u = "pne-pipelined-" + System.nanoTime();
        broker.grant(u, "pw".toCharArray(), Set.of("cpns/gk/pipelined"));
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            byte[] connect = RawMqtt.connect311(u, u, "pw");
            byte[] subscribe = RawMqtt.subscribe("cpns/gk/pipelined");
            byte[] both = java.util.Arrays.copyOf(connect, connect.length + subscribe.length);
            System.arraycopy(subscribe, 0, both, connect.length, subscribe.length);
            raw.write(both);
            assertEquals(java.util.HexFormat.of().formatHex(new byte[] {0x20, 2, 0, 0}), java.util.HexFormat.of().formatHex(raw.read(4)),
                    "CONNACK accepted");
            assertEquals(java.util.HexFormat.of().formatHex(new byte[] {(byte) 0x90, 3, 0, 1, 1}),
                    java.util.HexFormat.of().formatHex(raw.read(5)), "SUBACK, QoS 1 granted");
        }
        assertEquals(List.of(), log.lines().stream().filter(l -> l.contains("closed by the broker")).toList());
    }

    /**
     * Moquette 0.17 ended a session loop thread at the first command that threw (a bug's
     * NullPointerException, a freed buffer): every client hashed to that loop then waited forever for
     * its CONNACK. A failing command on each loop, then a PNE served by each loop connects and subscribes.
     */
    @Test
    void aFailingSessionCommand_leavesItsLoopServingClients() throws Exception {
        var internals = ((EmbeddedBroker) broker.backend()).internals();
        int loops = Runtime.getRuntime().availableProcessors(); // Moquette's number of session loops
        for (int loop = 0; loop < loops; loop++) {
            String u = null;
            for (int i = 0; u == null; i++) {
                String candidate = "pne-loop-" + loop + "-" + i;
                if (Math.abs(candidate.hashCode()) % loops == loop) {
                    u = candidate;
                }
            }
            assertTrue(internals.onSessionLoop(u, "test", () -> {
                throw new IllegalStateException("a bug in a session command");
            }));
            broker.grant(u, "pw".toCharArray(), Set.of("cpns/gk/loop"));
            try (Pne p = Pne.connect(broker.uri(), u, "pw")) {
                assertEquals(1, p.subscribe("cpns/gk/loop"));
            }
        }
        assertTrue(log.all().contains("a session command failed and was skipped: java.lang.IllegalStateException: a bug in a session "
                + "command"), log.all());
    }

    /**
     * Nobody may publish over MQTT (only the PN GW does, from inside). A connected client flooding
     * PUBLISHes while its session loop is busy filled that loop's queue in 0.17 (every PUBLISH is
     * queued before it is refused: up to a maximum-size packet per command), so other clients'
     * commands were refused. Now they are dropped where they are read.
     */
    @Test
    void publishFlood_takesNoRoomInTheSessionQueue() throws Exception {
        String u = "pne-flood-" + System.nanoTime();
        broker.grant(u, "pw".toCharArray(), Set.of("cpns/gk/flood"));
        var internals = ((EmbeddedBroker) broker.backend()).internals();
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            raw.write(RawMqtt.connect311(u, u, "pw"));
            assertEquals(4, raw.read(4).length, "CONNACK");
            assertTrue(internals.onSessionLoop(u, "busy", () -> {
                busy.await();
                return null;
            }));
            byte[] publish = RawMqtt.publish("cpns/gk/flood", 1000);
            byte[] burst = new byte[publish.length * 100];
            for (int i = 0; i < 100; i++) {
                System.arraycopy(publish, 0, burst, i * publish.length, publish.length);
            }
            for (int i = 0; i < 60; i++) {
                raw.write(burst); // 6000 PUBLISHes, more than the 4096 commands a session loop queues
            }
            busy.countDown();
            raw.write(RawMqtt.subscribe("cpns/gk/flood"));
            assertEquals(java.util.HexFormat.of().formatHex(new byte[] {(byte) 0x90, 3, 0, 1, 1}),
                    java.util.HexFormat.of().formatHex(raw.read(5)), "SUBACK");
        }
        String out = brokerOutput.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("is full"), out);
        assertEquals(List.of(), log.lines().stream().filter(l -> l.contains("closed by the broker")).toList());
    }

    /**
     * MQTT 3.1.1 §3.1.0: the first packet must be a CONNECT, and only one. Moquette 0.17 answered a
     * PINGREQ before any CONNECT, ran a second CONNECT again, and kept a connection that sent a
     * server's packet (an error line each). Each now ends the connection with one line.
     */
    @Test
    void packetsOutOfOrder_closeTheConnection_withTheirReason() throws Exception {
        String u = "pne-order-" + System.nanoTime();
        broker.grant(u, "pw".toCharArray(), Set.of("cpns/gk/order"));
        byte[] connect = RawMqtt.connect311(u, u, "pw");
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            raw.write(new byte[] {(byte) 0xC0, 0}); // PINGREQ
            assertEquals(0, raw.readUntilClosed().length, "no PINGRESP");
            assertTrue(linesAbout(raw).get(0).endsWith("closed by the broker: PINGREQ before the CONNECT was accepted"), log.all());
        }
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            raw.write(connect);
            assertEquals(4, raw.read(4).length, "CONNACK");
            raw.write(connect);
            raw.readUntilClosed();
            assertTrue(linesAbout(raw).get(0).endsWith("closed by the broker: a second CONNECT on one connection"), log.all());
        }
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            raw.write(connect);
            assertEquals(4, raw.read(4).length, "CONNACK");
            raw.write(new byte[] {(byte) 0x90, 3, 0, 1, 0}); // a SUBACK, which only a server sends
            raw.readUntilClosed();
            assertTrue(linesAbout(raw).get(0).endsWith("closed by the broker: unexpected SUBACK from a client"), log.all());
        }
    }

    /** A host that keeps sending garbage gets a few lines a minute, then a count of the rest. */
    @Test
    void manyMalformedConnections_fromOneHost_logAFewLines() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RawMqtt raw = new RawMqtt(broker.uri())) {
                raw.write(new byte[] {0x00, 0x00}); // packet type 0 is reserved
                raw.readUntilClosed();
            }
        }
        long lines = log.lines().stream().filter(l -> l.contains("closed by the broker")).count();
        assertTrue(lines >= 1 && lines <= 5, log.all());
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

    /** After a hostile connection the broker serves the next PNE as usual. */
    @Test
    void afterAHugeConnect_aPneConnectsAndSubscribes() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.uri())) {
            raw.write(RawMqtt.mqtt5ConnectHead(1 << 20));
            raw.flood(RawMqtt.userProperties(1000), 1 << 20);
        }
        String u = "pne-after-" + System.nanoTime();
        broker.grant(u, "pw-after".toCharArray(), Set.of("cpns/gk/after"));
        try (Pne p = Pne.connect(broker.uri(), u, "pw-after")) {
            assertEquals(1, p.subscribe("cpns/gk/after"));
        }
    }
}
