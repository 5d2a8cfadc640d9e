package io.cpns.pan.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.pan.spi.PanSecurity;
import io.cpns.testkit.Commands;
import io.cpns.testkit.PtyPair;
import io.cpns.testkit.RecordingPanContext;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SerialLine} and {@link SerialConnection} on a real pseudo-terminal pair (socat). The PNE
 * end reads raw frames, so line resets (empty frames) are seen exactly as a PNE sees them.
 */
class SerialLineTest {
    /** Stands for the gateway's encoded discovery announcement: the line sends it as it is. */
    private static final byte[] ANNOUNCEMENT = "announce gw-home".getBytes(StandardCharsets.US_ASCII);
    private static final LineSettings SETTINGS = new LineSettings(115200, PanSecurity.NONE, 65536, Duration.ofMinutes(5),
            Duration.ofMillis(100));

    @TempDir
    Path dir;
    private final RecordingPanContext context = new RecordingPanContext("gw-home", ANNOUNCEMENT);
    private final TestLogger log = new TestLogger("pan-serial");
    private final List<AutoCloseable> opened = new ArrayList<>();
    private PtyPair pty;
    private PneEnd pne;
    private SerialLine line;

    @BeforeAll
    static void socat() {
        String missing = Commands.missing("socat").orElse(null);
        if (missing != null) {
            System.out.println("[SerialLineTest] SKIPPED: " + missing);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(missing == null, missing);
    }

    @AfterEach
    void close() throws Exception {
        if (line != null) {
            line.stop();
        }
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    /** A pty pair, the PNE end open, then the gateway's line: the PNE hears everything from the start. */
    private void open(LineSettings settings) throws Exception {
        pty = PtyPair.open(dir, "line");
        opened.add(pty);
        pne = new PneEnd(pty.pneSide());
        opened.add(pne);
        line = SerialLine.start(pty.gatewaySide(), settings, context, log.logger());
        assertEquals(0, pne.read().length, "a line reset first");
        assertArrayEquals(ANNOUNCEMENT, pne.read(), "then the unsolicited announcement");
    }

    private void open() throws Exception {
        open(SETTINGS);
    }

    /** The PNE's first frame starts a link. */
    private RecordingPanContext.Link link(String first) throws Exception {
        pne.write(bytes(first));
        RecordingPanContext.Link l = context.nextLink();
        assertArrayEquals(bytes(first), l.nextFrame());
        return l;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void open_sendsALineReset_thenTheAnnouncement() throws Exception {
        open(); // asserted in open(): reset, announcement, in that order
        assertTrue(context.links.isEmpty(), "no link before the PNE's first frame");
    }

    @Test
    void firstFrame_startsALink_andIsDelivered() throws Exception {
        open();
        RecordingPanContext.Link l = link("hello");
        assertEquals(pty.gatewaySide(), l.connection.remote());
        assertEquals("serial", l.connection.adapterId());
        assertNull(l.connection.authenticatedIdentity(), "no TLS on a serial line");
        assertEquals(PanSecurity.NONE, l.connection.security());
        pne.write(bytes("second"));
        assertArrayEquals(bytes("second"), l.nextFrame());
        assertTrue(context.links.isEmpty(), "later frames stay on the same link");
    }

    @Test
    void gatewaySend_reachesThePne() throws Exception {
        open();
        RecordingPanContext.Link l = link("hello");
        l.connection.send(bytes("to the pne"));
        assertArrayEquals(bytes("to the pne"), pne.read());
    }

    @Test
    void resetFromThePne_endsTheLink_withoutAResetBack() throws Exception {
        open();
        RecordingPanContext.Link first = link("hello");
        pne.reset();
        assertEquals("line reset by the PNE", first.awaitClosed());
        RecordingPanContext.Link next = link("again");
        next.connection.send(bytes("marker"));
        assertArrayEquals(bytes("marker"), pne.read(), "nothing, no reset, before the new link's frame");
        assertEquals(1, first.closes.get());
    }

    @Test
    void connectionClose_writesOneReset_andEndsTheLinkOnce() throws Exception {
        open();
        RecordingPanContext.Link first = link("hello");
        first.connection.close();
        first.connection.close();
        assertEquals("closed by the gateway", first.awaitClosed());
        assertEquals(0, pne.read().length, "the PNE is told with a line reset");
        RecordingPanContext.Link next = link("again");
        next.connection.send(bytes("marker"));
        assertArrayEquals(bytes("marker"), pne.read(), "exactly one reset for two closes");
        assertEquals(1, first.closes.get());
    }

    @Test
    void endedConnection_refusesToSend() throws Exception {
        open();
        RecordingPanContext.Link first = link("hello");
        first.connection.close();
        first.awaitClosed();
        assertThrows(IOException.class, () -> first.connection.send(bytes("late")));
    }

    @Test
    void stop_sendsALineReset_andEndsTheLink() throws Exception {
        open();
        RecordingPanContext.Link l = link("hello");
        line.stop();
        line = null;
        assertEquals("PAN adapter stopped", l.awaitClosed());
        assertEquals(0, pne.read().length, "the reset reached the PNE before the port closed");
    }

    @Test
    void idleLink_isEndedWithALineReset() throws Exception {
        open(new LineSettings(115200, PanSecurity.NONE, 65536, Duration.ofMillis(100), Duration.ofMillis(100)));
        RecordingPanContext.Link l = link("hello");
        assertEquals("idle timeout", l.awaitClosed()); // noticed at the next 1 s read wake-up
        assertEquals(0, pne.read().length);
    }

    @Test
    void securePanLines_reportPanSecurity() throws Exception {
        open(new LineSettings(115200, PanSecurity.FULL, 65536, Duration.ofMinutes(5), Duration.ofMillis(100)));
        assertEquals(PanSecurity.FULL, link("hello").connection.security());
    }

    @Test
    void portMissingAtStart_isOpenedOnceItAppears() throws Exception {
        Path gw = dir.resolve("late-gw");
        line = SerialLine.start(gw.toString(), SETTINGS, context, log.logger());
        pty = PtyPair.open(gw, dir.resolve("late-pne"), dir.resolve("late.socat.log"));
        opened.add(pty);
        pne = new PneEnd(pty.pneSide());
        opened.add(pne);
        // the line opens at its next retry (100 ms); whatever it sent before the PNE end opened may be lost,
        // so the PNE's first frame is what proves the line is served
        long deadline = System.nanoTime() + 1_500_000_000L;
        RecordingPanContext.Link l = null;
        while (l == null && System.nanoTime() < deadline) {
            pne.write(bytes("hello"));
            l = context.links.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        assertTrue(l != null, "the line was opened once its port appeared");
    }

    // ---- issue 10: no exception escapes the line's loop ----

    /**
     * A gateway bug on a frame (issue 10: an error detail that cannot be encoded) ends that link
     * with a line reset; the line stays open and serves the PNE's next link, and the stack is logged
     * once however often it happens.
     */
    @Test
    void gatewayThrowingOnAFrame_endsTheLinkWithAReset_andTheLineServesTheNextOne() throws Exception {
        open();
        context.failFrames = new IllegalStateException("error detail not encodable");
        for (int i = 0; i < 5; i++) {
            RecordingPanContext.Link failed = link("hello " + i);
            assertTrue(failed.awaitClosed().startsWith("internal error"), failed.reason());
            assertEquals(0, pne.read().length, "the PNE is told with a line reset");
        }
        context.failFrames = null;
        RecordingPanContext.Link next = link("again");
        next.connection.send(bytes("marker"));
        assertArrayEquals(bytes("marker"), pne.read(), "the line stayed open: no reopening, no new announcement");
        assertEquals(1, log.lines().stream().filter(l -> l.contains("error detail not encodable")).count(), log.all());
    }

    @Test
    void gatewayThrowingWhenALinkIsReported_endsItWithAReset_andTheLineServesTheNextOne() throws Exception {
        open();
        context.failConnected = new IllegalStateException("gateway bug");
        pne.write(bytes("hello"));
        context.nextLink();
        assertEquals(0, pne.read().length, "the PNE is told with a line reset");
        context.failConnected = null;
        RecordingPanContext.Link next = link("again");
        next.connection.send(bytes("marker"));
        assertArrayEquals(bytes("marker"), pne.read());
    }
}
