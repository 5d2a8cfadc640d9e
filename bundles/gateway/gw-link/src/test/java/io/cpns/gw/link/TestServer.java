package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.EuKeyAssignRequest;
import io.cpns.api.message.EuKeyAssignResponse;
import io.cpns.api.message.Message;
import io.cpns.api.message.SessionHello;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.pki.DevPki;
import io.cpns.session.ChannelHandshake;
import io.cpns.session.SecureChannel;
import io.cpns.session.tls.ServerCredentials;
import io.cpns.session.tls.TlsConnection;
import io.cpns.session.tls.TlsServerEndpoint;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small CPNS Server on loopback, as the PN GW meets it on the wire: real TLS (PSK-TLS 1.3 with the
 * EUKey, certificate TLS for bootstrap), the message-level handshake (TS §5.3.3.1), and EUKey
 * assignment (TS §5.3.1). The test answers the gateway's requests itself ({@link Session#next}), so
 * it decides their order and timing. The real server-endpoint needs registries and a database; the
 * link only needs the wire.
 */
final class TestServer implements AutoCloseable {
    static final EntityId ID = EntityId.of("cpns-server");
    static final long WAIT_MILLIS = 5000; // safety net only: a broken flow fails instead of hanging

    /** What the listener does with a new TCP connection. */
    enum Mode { SERVE, STALL, REFUSE }

    final Path caCert;
    final Set<String> users = ConcurrentHashMap.newKeySet(); // "user:password" that may assign EUKeys
    /** Every TCP connection accepted, in order (also those stalled or refused). */
    final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    /** Every authenticated session, in order. */
    final BlockingQueue<Session> sessions = new LinkedBlockingQueue<>();
    volatile Mode mode = Mode.SERVE;
    /** When set, a PSK connection's message-level handshake waits for it (the gateway sits in AUTHENTICATING). */
    volatile java.util.concurrent.CountDownLatch holdHandshake;

    private final ServerSocket listener;
    private final TlsServerEndpoint tls;
    private final Map<String, byte[]> euKeys = new ConcurrentHashMap<>();
    private final MessageCodec codec = new MessageCodec();
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    TestServer(Path dir) throws IOException {
        DevPki.PkiFiles pki = DevPki.ensure(dir.resolve("pki"), "localhost", Duration.ofDays(1));
        caCert = pki.caCert();
        tls = new TlsServerEndpoint(identity -> {
            byte[] k = euKeys.get(identity);
            return k == null ? null : k.clone();
        }, ServerCredentials.fromPem(pki.serverChain(), pki.serverKey()));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "test-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The Server registered {@code gateway} with {@code euKey} (as after an earlier assignment). */
    void knows(EntityId gateway, byte[] euKey) {
        euKeys.put(gateway.value(), euKey.clone());
    }

    byte[] euKeyOf(EntityId gateway) {
        return euKeys.get(gateway.value());
    }

    /** The next authenticated session (waits). */
    Session session() throws InterruptedException {
        Session s = sessions.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("no authenticated session within " + WAIT_MILLIS + " ms");
        }
        return s;
    }

    /** The next TCP connection (waits). */
    Socket connection() throws InterruptedException {
        Socket s = accepted.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("no connection within " + WAIT_MILLIS + " ms");
        }
        return s;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                open.add(s);
                Mode m = mode; // read once, before the test hears of the connection and changes it
                switch (m) {
                    case REFUSE -> s.close();
                    case STALL -> { } // TCP up, never a TLS answer
                    case SERVE -> thread(() -> serve(s), "test-server-conn");
                }
                accepted.add(s);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serve(Socket s) {
        try {
            TlsConnection t = tls.accept(s, 5000, 0);
            MessageChannel ch = new MessageChannel(codec, t.in(), t.out(), 65536, t);
            open.add(ch);
            if (!t.pskAuthenticated()) {
                bootstrap(ch);
                return;
            }
            Envelope hello = ch.receive();
            if (hello == null || !(hello.body() instanceof SessionHello) || !hello.src().value().equals(t.pskIdentity())) {
                ch.close();
                return;
            }
            java.util.concurrent.CountDownLatch hold = holdHandshake;
            if (hold != null) {
                hold.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            byte[] key = euKeys.get(t.pskIdentity());
            Session session = new Session(new SecureChannel(ch, ChannelHandshake.respond(ch, hello, ID, key)), hello.src());
            open.add(session);
            sessions.add(session);
            session.readLoop();
        } catch (IOException | RuntimeException e) {
            // the gateway went away, or the test dropped it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** TS §5.3.1 over certificate TLS: a known CPNS User gets a fresh EUKey for the entity. */
    private void bootstrap(MessageChannel ch) throws IOException {
        try (ch) {
            Envelope e = ch.receive();
            if (e == null || !(e.body() instanceof EuKeyAssignRequest r)) {
                return;
            }
            String who = r.userId() + ":" + new String(r.password(), StandardCharsets.UTF_8);
            if (!users.contains(who)) {
                ch.send(e.reply(ErrorMessage.of(new CpnsException(ErrorCode.AUTH_FAILED, "wrong CPNS User ID or password"))));
                return;
            }
            byte[] key = Randoms.bytes(32);
            euKeys.put(r.entityId(), key.clone());
            ch.send(e.reply(new EuKeyAssignResponse(r.entityId(), key)));
        }
    }

    /** Drops every connection, as a Server that restarts or fails (the listener stays). */
    void dropAll() {
        open.forEach(TestServer::closeQuietly);
        open.clear();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        dropAll();
    }

    /** One authenticated GW-Server session, seen from the Server. */
    final class Session implements Closeable {
        final EntityId gateway;
        private final SecureChannel channel;
        /** The gateway's requests, in the order they arrived. */
        private final BlockingQueue<Envelope> requests = new LinkedBlockingQueue<>();
        /** The gateway's answers to the Server's own requests. */
        private final BlockingQueue<Envelope> answers = new LinkedBlockingQueue<>();
        private final AtomicLong ids = new AtomicLong(1_000_000);

        Session(SecureChannel channel, EntityId gateway) {
            this.channel = channel;
            this.gateway = gateway;
        }

        private void readLoop() throws IOException {
            Envelope e;
            while ((e = channel.receive()) != null) {
                (e.type().isRequest() ? requests : answers).add(e);
            }
        }

        /** The gateway's next request (waits). */
        Envelope next() throws InterruptedException {
            Envelope e = requests.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no request from the gateway within " + WAIT_MILLIS + " ms");
            }
            return e;
        }

        void answer(Envelope request, Message body) throws IOException {
            channel.send(request.reply(body));
        }

        /** The Server's own request (push) to the gateway; returns the gateway's answer (waits). */
        Envelope push(Message body) throws IOException, InterruptedException {
            long id = ids.incrementAndGet();
            channel.send(new Envelope(ID, gateway, id, body));
            Envelope e = answers.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (e == null || e.id() != id) {
                throw new AssertionError("gateway's answer to " + id + ": " + e);
            }
            return e;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Whether the peer closed {@code s}: reads until end of stream (or a reset). */
    static boolean closedByPeer(Socket s) throws IOException {
        s.setSoTimeout((int) WAIT_MILLIS);
        try (InputStream in = s.getInputStream()) {
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // the gateway's ClientHello, until it gives up
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    private static void thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
