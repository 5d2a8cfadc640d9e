package io.cpns.gw.pan;

import static io.cpns.gw.pan.GwFixture.GW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.codec.FrameReader;
import io.cpns.codec.FrameWriter;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.pan.ip.IpPanAdapter;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneConfig;
import io.cpns.session.tls.Transport;
import io.cpns.testkit.Configs;
import io.cpns.testkit.HostileFrames;
import io.cpns.testkit.ServiceObjects;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 over real sockets: the real {@link PanManager} with the real IP PAN adapter on
 * loopback, a real PNE (the PNE SDK, PSK-TLS) and hostile peers on plain TCP.
 */
class PanOverIpTest {
    /** Safety net for reads: a test that would hang fails instead. */
    private static final int READ_MILLIS = 10_000;

    private final TestLogger log = new TestLogger("gw-pan");
    private final MemorySecrets secrets = new MemorySecrets();
    private final MessageCodec codec = new MessageCodec();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private PanManager manager;
    private IpPanAdapter ip;

    private void start(Map<String, Object> ipConfig) {
        manager = new PanManager(secrets, () -> GW, log.logger(), Configs.of(PanManager.Config.class, Map.of()));
        Map<String, Object> c = new HashMap<>(Map.of("host", "127.0.0.1", "port", 0, "discoveryPort", 0));
        c.putAll(ipConfig);
        ip = new IpPanAdapter(Configs.of(IpPanAdapter.Config.class, c), new TestLogger("pan-ip").logger());
        manager.addAdapter(ip);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (manager != null) {
            manager.deactivate();
        }
    }

    /** A real PNE holding a pre-assigned key: it connects under PSK-TLS. */
    private PneClient tlsPne(String id) throws IOException {
        byte[] key = Randoms.bytes(32);
        new PreAssignedKeyStore(secrets, () -> GW, log.logger()).set(id, key);
        MemorySecrets keys = new MemorySecrets();
        keys.put(PneClient.PRE_ASSIGNED, key);
        PneClient pne = new PneClient(PneConfig.of(id), new IpTransport("127.0.0.1", ip.port(), false), keys);
        closing.add(pne::close);
        pne.connect(GW);
        eventually("the PN GW routes to " + id + " under PSK-TLS",
                () -> manager.link(EntityId.of(id)).map(l -> l.protectionName().equals("tls")).orElse(false));
        return pne;
    }

    /** A peer on plain TCP that says whatever the test makes it say. */
    private MessageChannel plain() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), ip.port());
        s.setSoTimeout(READ_MILLIS);
        Transport t = Transport.of(s);
        MessageChannel ch = new MessageChannel(codec, t.in(), t.out(), 65536, t);
        closing.add(ch);
        return ch;
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s: " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * The campaign's attack, as it ran: a PNE under PSK-TLS with a request in flight, and a plain
     * TCP link claiming its Entity ID sending a request with the same envelope id. Before the fix
     * the spoofer's FORBIDDEN went to the real PNE (its request failed) and the spoofer got nothing.
     */
    @Test
    void spoofingPlainLink_withTheIdOfARealPnesRequestInFlight_getsTheRefusal_theRealRequestSucceeds() throws Exception {
        start(Map.of());
        CompletableFuture<PneMessage> arrived = new CompletableFuture<>();
        CompletableFuture<Message> held = new CompletableFuture<>();
        manager.addHandler(ServiceObjects.of(m -> {
            if (!m.link().authenticated()) { // as gw-pn's relay does
                return CompletableFuture.failedFuture(new CpnsException(ErrorCode.FORBIDDEN, "needs an authenticated PNE link"));
            }
            arrived.complete(m);
            return held;
        }), Map.of(PneRequestHandler.TYPE, "entity.info.req"));
        PneClient real = tlsPne("pne-tv");
        CompletableFuture<Envelope> inFlight = real.request(new EntityInfoRequest("pne-tv"), Duration.ofSeconds(30));
        long id = arrived.get(READ_MILLIS, TimeUnit.MILLISECONDS).envelope().id();

        MessageChannel spoofer = plain();
        spoofer.send(new Envelope(EntityId.of("pne-tv"), GW, id, new EntityInfoRequest("pne-tv")));
        Envelope refusal = spoofer.receive();
        assertNotNull(refusal, "the spoofer's link was closed without an answer");
        assertEquals(id, refusal.id());
        assertEquals(ErrorCode.FORBIDDEN, assertInstanceOf(ErrorMessage.class, refusal.body()).errorCode());

        held.complete(new EntityInfo("pne-tv", EntityKind.PNE, "alice"));
        Envelope answer = inFlight.get(READ_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals("alice", assertInstanceOf(EntityInfo.class, answer.body()).userId());
        assertTrue(log.all().contains("entity.info.req " + id + " refused: FORBIDDEN"), log.all());
    }

    /**
     * Issue 12 §7: an error answer carries the request's envelope id. A request with a wrong
     * {@code dst} (PNE to PNE: no secure session exists for that pair, TS §5.3.3.1) or a wrong
     * {@code src} (another PNE's ID on this link) was refused with id 0, so the PNE could not match
     * it and its request ran into its timeout. Neither refusal closes the link.
     */
    @Test
    void requestWithWrongDstOrSrc_isRefusedWithItsOwnEnvelopeId_andTheLinkStays() throws Exception {
        start(Map.of());
        MessageChannel pne = plain();
        pne.send(new Envelope(EntityId.of("pne-a"), GW, 1, new Ping(new byte[0])));
        assertInstanceOf(Pong.class, pne.receive().body());

        pne.send(new Envelope(EntityId.of("pne-a"), EntityId.of("pne-b"), 41, new Ping(new byte[0])));
        Envelope wrongDst = pne.receive();
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertInstanceOf(ErrorMessage.class, wrongDst.body()).errorCode());
        assertEquals(41, wrongDst.id(), "the refusal of a wrong dst must answer request 41");

        pne.send(new Envelope(EntityId.of("pne-b"), GW, 42, new Ping(new byte[0])));
        Envelope wrongSrc = pne.receive();
        assertEquals(ErrorCode.FORBIDDEN, assertInstanceOf(ErrorMessage.class, wrongSrc.body()).errorCode());
        assertEquals(42, wrongSrc.id(), "the refusal of a wrong src must answer request 42");

        pne.send(new Envelope(EntityId.of("pne-a"), GW, 43, new Ping(new byte[0])));
        Envelope ok = pne.receive();
        assertInstanceOf(Pong.class, ok.body());
        assertEquals(43, ok.id());
    }

    /**
     * One frame used to leak a PAN connection slot for good: a lone surrogate in the type made the
     * error unencodable, the exception killed the connection's thread, the socket stayed open and
     * the link stayed listed. 2000 of them, with room for 4 connections: every one is answered
     * and closed, and afterwards no link is left and a PNE still connects.
     */
    @Test
    void twoThousandLoneSurrogateFrames_eachAnsweredAndClosed_noZombieLink_noSlotLost() throws Exception {
        start(Map.of("maxConnections", 4));
        byte[] frame = HostileFrames.all().get("lone surrogate in the type");
        for (int i = 0; i < 2000; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ip.port())) {
                s.setSoTimeout(READ_MILLIS);
                new FrameWriter(s.getOutputStream(), 65536).write(frame);
                byte[] answer;
                try {
                    answer = new FrameReader(s.getInputStream(), 65536).read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("frame " + i + ": no answer, the connection left open");
                }
                assertNotNull(answer, "frame " + i + ": closed without an answer (no slot?)");
                ErrorMessage err = assertInstanceOf(ErrorMessage.class, codec.decode(answer).body());
                assertEquals(ErrorCode.MALFORMED, err.errorCode(), err.detail());
                assertClosedByGateway(s.getInputStream(), i);
            }
            // the adapter frees the slot before the gateway forgets the link: once it is gone, the slot is free
            int n = i;
            eventually("frame " + n + ": its link gone", () -> manager.links().isEmpty());
        }
        PneClient pne = tlsPne("pne-after");
        assertNotNull(pne.ping(), "a PNE still gets a slot");
    }

    /** Issue 10: wire errors carry our own short reason, on a real socket to the PAN port. */
    @Test
    void hostileFrames_onTheIpPan_getOurOwnShortReason_andTheConnectionClosed() throws Exception {
        start(Map.of());
        for (Map.Entry<String, byte[]> in : HostileFrames.all().entrySet()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ip.port())) {
                s.setSoTimeout(READ_MILLIS);
                new FrameWriter(s.getOutputStream(), 65536).write(in.getValue());
                byte[] answer = new FrameReader(s.getInputStream(), 65536).read();
                assertNotNull(answer, in.getKey());
                ErrorMessage err = assertInstanceOf(ErrorMessage.class, codec.decode(answer).body(), in.getKey());
                HostileFrames.leak(err.detail()).ifPresent(leak -> fail(in.getKey() + ": '" + leak + "' reached the peer: " + err.detail()));
                assertClosedByGateway(s.getInputStream(), 0);
            }
        }
        MessageChannel ok = plain();
        ok.send(new Envelope(EntityId.of("pne-ok"), GW, 1, new Ping(new byte[] {1})));
        assertInstanceOf(Pong.class, ok.receive().body());
    }

    private static void assertClosedByGateway(InputStream in, int i) throws IOException {
        try {
            assertEquals(-1, in.read(), "frame " + i + ": nothing may follow the error");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("frame " + i + ": the gateway left the connection open");
        } catch (IOException reset) {
            // reset by the gateway: closed as well
        }
    }
}
