package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.PnSetupNotify;
import io.cpns.api.message.PnSetupRequest;
import io.cpns.api.message.Relay;
import io.cpns.api.message.SetupType;
import io.cpns.codec.FrameReader;
import io.cpns.codec.FrameWriter;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Issue 10 against the distribution's bundles (docs/security.md §10.1): hostile devices on the IP
 * PAN beside real PNEs. A link that claims a PSK-TLS PNE's identity, a lone-surrogate frame sent
 * 2000 times, a flood of unauthenticated PN Setup Requests inviting made-up PNEs.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PanHostileIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("hostile", configs(Map.of("notifyTimeoutMillis", 3000, "authTimeoutMillis", 8000)),
                "runtime", "core", "server", "gateway", "pne");
    }

    /**
     * The campaign's attack: a plain TCP link claiming the Entity ID of a PNE under PSK-TLS sends
     * relays with the envelope ids of that PNE's requests. Its PN Setup Request is in flight (the
     * invited PNE never answers), so one of the ids hits it. Before: the FORBIDDEN meant for the
     * spoofer failed the real request (3 of 3), and the spoofer got nothing.
     */
    @Test
    public void h1_spoofingLink_reusingARealPnesRequestIds_getsEveryRefusal_theRealRequestSucceeds() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue("under PSK-TLS with its LocalEUKey", tv.secured());
        assertEquals("tls", osgi.service(PneMessenger.class).link(EntityId.of("pne-tv")).orElseThrow().protectionName());
        try (RawPne silent = RawPne.connect(panPort(), "pne-silent"); RawPne spoofer = RawPne.connect(panPort(), "pne-tv")) {
            silent.ping();
            CompletableFuture<PnState> inFlight = tv.setup(SetupType.INVITE, List.of("pne-silent")).toCompletableFuture();
            Envelope notify = silent.channel().receive(); // the gateway waits for its answer: tv's request is in flight
            assertTrue(notify.body() instanceof PnSetupNotify);

            MessageChannel ch = spoofer.channel();
            int ids = 300; // every id tv used so far, and more
            for (long id = 1; id <= ids; id++) {
                ch.send(new Envelope(EntityId.of("pne-tv"), EntityId.of(GATEWAY), id, new Relay("pn-any", new byte[] {1})));
            }
            for (long id = 1; id <= ids; id++) {
                Envelope answer = ch.receive();
                assertNotNull("the spoofer's link closed", answer);
                assertEquals(id, answer.id());
                assertEquals(ErrorCode.FORBIDDEN, ((ErrorMessage) answer.body()).errorCode());
            }
            PnState pn = inFlight.get(30, TimeUnit.SECONDS); // before the fix: FORBIDDEN
            assertTrue(pn.serverAuthenticated());
        }
        assertTrue(tv.ping() != null);
    }

    /** One frame leaked a PAN connection slot for good: now each is answered and closed, and no link is left. */
    @Test
    public void h2_loneSurrogateFrame_2000Times_eachAnsweredAndClosed_noZombieLinkInGwPnes() throws Exception {
        // [1, "\uD800W" (the surrogate as if it were a character: ED A0 80), "pne-a", "gw-home", 1, {}]
        byte[] frame = hex("860164eda0805765706e652d616767772d686f6d6501bfff");
        // links of earlier tests may close meanwhile: none may be added, whatever goes
        java.util.Set<String> before = remotes();
        for (int i = 0; i < 2000; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), panPort())) {
                s.setSoTimeout(15_000);
                new FrameWriter(s.getOutputStream(), 65536).write(frame);
                byte[] answer;
                try {
                    answer = new FrameReader(s.getInputStream(), 65536).read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("frame " + i + ": no answer, the connection left open");
                }
                assertNotNull("frame " + i + ": closed without an answer", answer);
                assertEquals(ErrorCode.MALFORMED, ((ErrorMessage) new MessageCodec().decode(answer).body()).errorCode());
                assertEquals("frame " + i + ": nothing may follow the error", -1, s.getInputStream().read());
            }
        }
        Osgi.eventually("no zombie link", () -> before.containsAll(remotes()), () -> osgi.service(PneMessenger.class).links().toString());
        try (RawPne after = RawPne.connect(panPort(), "pne-after")) {
            after.ping();
        }
    }

    private java.util.Set<String> remotes() {
        return osgi.service(PneMessenger.class).links().stream().map(l -> l.adapter() + " " + l.remote())
                .collect(java.util.stream.Collectors.toSet());
    }

    /**
     * The campaign's flood: 20 unauthenticated {@code pn.setup.req}, each inviting 4000 made-up
     * PNEs (763 KB), wrote 11.8 MB to the gateway's log (x15). Measured as the distribution's log
     * writes it: every INFO-or-worse line of a gateway bundle (gw-*, pan-*).
     */
    @Test
    public void h3_unauthenticatedSetupRequests_inviting4000MadeUpPnes_logNoLinePerInvitee() throws Exception {
        GatewayLog gwLog = new GatewayLog();
        ServiceReference<LogReaderService> ref = ctx.getServiceReference(LogReaderService.class);
        LogReaderService reader = ctx.getService(ref);
        reader.addLogListener(gwLog);
        try {
            MessageCodec codec = new MessageCodec();
            long attackBytes = 0;
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int r = 0; r < 20; r++) {
                    List<String> invitees = new ArrayList<>();
                    for (int i = 0; i < 4000; i++) {
                        invitees.add(String.format("fake-%02d-%04d", r, i));
                    }
                    byte[] frame = codec.encode(new Envelope(EntityId.of("attacker-" + r), EntityId.of(GATEWAY), 1,
                            new PnSetupRequest(SetupType.INVITE, invitees, Map.of("ui", "true"), List.of(), Randoms.bytes(32), true,
                                    "modern-v1")));
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), panPort());
                    s.setSoTimeout(60_000);
                    sockets.add(s);
                    new FrameWriter(s.getOutputStream(), 65536).write(frame);
                    attackBytes += frame.length + 4;
                }
                for (Socket s : sockets) { // every request is answered: its whole flow has been logged
                    Message m = codec.decode(new FrameReader(s.getInputStream(), 65536).read()).body();
                    assertNotNull(m);
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            Osgi.sleep(1000); // log entries reach listeners asynchronously
            String figure = String.format("20 unauthenticated pn.setup.req inviting 4000 made-up PNEs: %d attack bytes -> %d gateway log "
                    + "bytes in %d lines (%.4f log bytes per attack byte)", attackBytes, gwLog.bytes.get(), gwLog.lines.get(),
                    (double) gwLog.bytes.get() / attackBytes);
            System.out.println("[PanHostileIT] " + figure);
            assertEquals(figure + "; a line names a made-up invitee", 0, gwLog.invitees.get());
            assertTrue(figure, gwLog.bytes.get() * 20 < attackBytes);
        } finally {
            reader.removeLogListener(gwLog);
            ctx.ungetService(ref);
        }
    }

    @Test
    public void h4_theServersEntityId_isRefusedAsAPnes() throws Exception {
        try (RawPne server = RawPne.connect(panPort(), "cpns-server")) {
            server.channel().send(new Envelope(EntityId.of("cpns-server"), EntityId.of(GATEWAY), 1, new Ping(new byte[0])));
            Envelope answer = server.channel().receive();
            assertEquals(ErrorCode.FORBIDDEN, ((ErrorMessage) answer.body()).errorCode());
        }
        assertTrue(osgi.service(PneMessenger.class).link(EntityId.of("cpns-server")).isEmpty());
    }

    /** The gateway's log as etc/gateway/logback.xml writes it at INFO: "time LEVEL bundle  message". */
    static final class GatewayLog implements LogListener {
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong lines = new AtomicLong();
        final AtomicLong invitees = new AtomicLong();

        @Override
        public void logged(LogEntry e) {
            String bsn = e.getBundle() == null ? "-" : e.getBundle().getSymbolicName();
            if (!(bsn.startsWith("io.cpns.gw.") || bsn.startsWith("io.cpns.pan.")) || !LogLevel.INFO.implies(e.getLogLevel())) {
                return;
            }
            String line = java.time.Instant.ofEpochMilli(e.getTime()) + " " + String.format("%-5s ", e.getLogLevel()) + bsn + "  "
                    + e.getMessage() + "\n" + (e.getException() == null ? "" : "    caused by " + e.getException() + "\n");
            bytes.addAndGet(line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            lines.incrementAndGet();
            if (e.getMessage().contains("fake-")) {
                invitees.incrementAndGet();
            }
        }
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
