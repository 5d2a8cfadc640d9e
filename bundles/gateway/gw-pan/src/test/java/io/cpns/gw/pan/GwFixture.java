package io.cpns.gw.pan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionConfirm;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Suites;
import io.cpns.pan.spi.PanAdapter;
import io.cpns.pan.spi.PanContext;
import io.cpns.pan.spi.PanSecurity;
import io.cpns.session.InitiatorHandshake;
import io.cpns.session.SecureSession;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@link PanManager} (the LinkHost of every {@link Link}) with two in-memory PANs: one
 * without security of its own ({@code test}) and one that protects every message ({@code secure}).
 * PNEs are driven frame by frame with {@link Pne}.
 */
final class GwFixture implements AutoCloseable {
    static final EntityId GW = EntityId.of("gw-home");
    static final EntityId SERVER = EntityId.of("cpns-server");
    /** Safety net only: a broken flow fails instead of hanging. */
    static final long WAIT_MILLIS = 2000;

    final MessageCodec codec = new MessageCodec();
    final MemorySecrets secrets = new MemorySecrets();
    final TestLogger log = new TestLogger("gw-pan");
    final PanManager manager;
    final PreAssignedKeyStore preAssigned;
    final TestAdapter pan = new TestAdapter("test", PanSecurity.NONE);
    final TestAdapter securePan = new TestAdapter("secure", PanSecurity.FULL);
    private final AtomicInteger remotes = new AtomicInteger();

    GwFixture() {
        this(Map.of());
    }

    GwFixture(Map<String, Object> config) {
        manager = new PanManager(secrets, () -> GW, log.logger(), Configs.of(PanManager.Config.class, config));
        preAssigned = new PreAssignedKeyStore(secrets, () -> GW, log.logger());
        manager.addAdapter(pan);
        manager.addAdapter(securePan);
    }

    /** A PNE on the PAN without security: its identity is claimed by its first message. */
    Pne plain(String pneId) {
        return connect(pan, EntityId.of(pneId), null);
    }

    /** A PNE on the PAN without security, connecting from {@code remote} (a source address and port). */
    Pne plainFrom(String pneId, String remote) {
        TestConnection c = new TestConnection(pan.id(), remote, null, pan.security());
        pan.context.connected(c);
        return new Pne(EntityId.of(pneId), c, codec);
    }

    /** A PNE whose PSK-TLS proved its identity (what pan-ip reports after a PSK handshake). */
    Pne tls(String pneId) {
        return connect(pan, EntityId.of(pneId), pneId);
    }

    /** A PNE on a PAN that protects every message itself. */
    Pne onSecurePan(String pneId) {
        return connect(securePan, EntityId.of(pneId), null);
    }

    private Pne connect(TestAdapter adapter, EntityId id, String identity) {
        TestConnection c = new TestConnection(adapter.id(), "remote-" + remotes.incrementAndGet(), identity, adapter.security());
        adapter.context.connected(c);
        return new Pne(id, c, codec);
    }

    /** gw-link bound: the CPNS Server's Entity ID is known (SCR calls the bind method). */
    void serverLink(EntityId serverId) {
        serverLink(serverId, new InetSocketAddress("127.0.0.1", 1));
    }

    /** gw-link bound, its CPNS Server (where EUKey tunnels go) at {@code server}. */
    void serverLink(EntityId serverId, InetSocketAddress server) {
        ServerLink link = new ServerLink() {
            @Override
            public LinkStatus status() {
                return null;
            }

            @Override
            public CompletionStage<Message> request(Message request, Duration timeout) {
                // only the Server's Entity ID matters to gw-pan here; nothing is sent to it
                return CompletableFuture.failedFuture(new io.cpns.api.CpnsException(io.cpns.api.ErrorCode.UNAVAILABLE,
                        "no CPNS Server behind this test link"));
            }

            @Override
            public void reconnect() {
            }

            @Override
            public InetSocketAddress serverAddress() {
                return server;
            }

            @Override
            public EntityId serverId() {
                return serverId;
            }
        };
        manager.bindServerLink(link);
        preAssigned.bindServerLink(link);
        this.serverLink = link;
    }

    private ServerLink serverLink;

    /** gw-link unbound (updated, or stopped). */
    void serverLinkGone() {
        manager.unbindServerLink(serverLink);
        preAssigned.unbindServerLink(serverLink);
    }

    PneLink link(Pne pne) {
        return manager.link(pne.id).orElseThrow(() -> new AssertionError("no route to " + pne.id));
    }

    @Override
    public void close() {
        manager.deactivate();
    }

    /** A PAN adapter in memory: hands its context to the test. */
    static class TestAdapter implements PanAdapter {
        private final String id;
        private final PanSecurity security;
        volatile PanContext context;
        volatile boolean stopped;

        TestAdapter(String id, PanSecurity security) {
            this.id = id;
            this.security = security;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public PanSecurity security() {
            return security;
        }

        @Override
        public int maxFrameBytes() {
            return 65536;
        }

        @Override
        public void start(PanContext ctx) throws IOException {
            context = ctx;
        }

        @Override
        public void stop() {
            stopped = true;
        }

        @Override
        public List<String> addresses() {
            return List.of(id + "-address");
        }
    }

    /** The PNE end of a {@link TestConnection}: envelopes in, envelopes out, a session if it has one. */
    static final class Pne {
        final EntityId id;
        final TestConnection connection;
        final MessageCodec codec;
        SecureSession session;
        private long ids = 1;

        Pne(EntityId id, TestConnection connection, MessageCodec codec) {
            this.id = id;
            this.connection = connection;
            this.codec = codec;
        }

        long nextId() {
            return ids++;
        }

        /** Sends one envelope as the PNE (on the test thread, like an adapter's reader thread). */
        void send(Envelope e) {
            connection.receiver().frame(codec.encode(e));
        }

        /** A request to {@code dst}, protected if the PNE has a session; returns its id. */
        long request(EntityId dst, Message body) {
            long id = nextId();
            Envelope e = new Envelope(this.id, dst, id, body);
            send(session == null ? e : session.protect(e, codec));
            return id;
        }

        void sendRaw(byte[] frame) {
            connection.receiver().frame(frame);
        }

        /** The next envelope from the gateway, as on the wire. */
        Envelope receive() throws InterruptedException {
            byte[] f = connection.sent.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(f, "nothing from the gateway within " + WAIT_MILLIS + " ms");
            return codec.decode(f);
        }

        /** The next envelope, unprotected with the PNE's session if it has one. */
        Envelope receiveOpen() throws InterruptedException {
            Envelope e = receive();
            return session == null ? e : session.unprotect(e, codec);
        }

        <M extends Message> M expect(Class<M> type) throws InterruptedException {
            Envelope e = receiveOpen();
            return assertInstanceOf(type, e.body(), () -> "got " + e);
        }

        /** The next message is a typed error with {@code code}; returns its envelope. */
        Envelope expectError(ErrorCode code) throws InterruptedException {
            Envelope e = receive();
            ErrorMessage err = assertInstanceOf(ErrorMessage.class, e.body(), () -> "expected " + code + ", got " + e);
            assertEquals(code, err.errorCode(), err.detail());
            return e;
        }

        /** Nothing arrives within {@code millis}. */
        byte[] nothingFor(long millis) throws InterruptedException {
            return connection.sent.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** The message-level PNE-GW handshake (TS §5.3.3.1.1) with {@code psk}; on success the PNE keeps the session. */
        SecureSession handshake(byte[] psk) throws InterruptedException {
            InitiatorHandshake h = new InitiatorHandshake(Suites.modern(), id, GW, psk);
            long hello = nextId();
            send(new Envelope(id, GW, hello, new SessionHello(Suites.modern().name(), h.rand())));
            Envelope challenge = receive();
            SessionChallenge c = assertInstanceOf(SessionChallenge.class, challenge.body(), () -> "got " + challenge);
            assertEquals(hello, challenge.id());
            send(new Envelope(id, GW, nextId(), new SessionProof(h.prove(c.rand()))));
            Envelope confirm = receive();
            SessionConfirm sc = assertInstanceOf(SessionConfirm.class, confirm.body(), () -> "got " + confirm);
            session = h.confirm(sc.proof());
            return session;
        }
    }
}
