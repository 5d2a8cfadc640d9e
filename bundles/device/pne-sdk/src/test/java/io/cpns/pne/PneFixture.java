package io.cpns.pne;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.session.ResponderHandshake;
import io.cpns.session.tls.TlsConnection;
import io.cpns.session.tls.TlsServerEndpoint;
import io.cpns.session.tls.Transport;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real {@link PneClient} on loopback, and a fake PN GW the test drives step by step: it plays
 * the PN GW and the CPNS Server of seed 004 (the real server's calculation is
 * {@link ResponderHandshake} over the PNE's EUKey, as in PnServer.prepare/authenticate).
 *
 * <p>The PNE connects with {@code new IpTransport("127.0.0.1", port, panSecure)} and no keys, so
 * its first link carries plain frames. After it unwraps a LocalEUKey on a PAN that does not
 * protect messages it reconnects under PSK-TLS with that key; {@link #acceptPsk} accepts that
 * link with the real TLS server endpoint (PSK only), so a completed handshake proves the PNE
 * holds the same LocalEUKey as the PN GW.
 */
final class PneFixture implements AutoCloseable {
    private CompletableFuture<Void> connecting;
    static final EntityId GW = EntityId.of("gw-home");
    static final EntityId SERVER = EntityId.of("cpns-server");
    static final EntityId PNE = EntityId.of("tv-1");
    /** Safety net only: a broken flow fails instead of hanging. */
    static final int IO_TIMEOUT_MILLIS = 10_000;

    final CryptoSuite suite = Suites.modern();
    final MessageCodec codec = new MessageCodec();
    final EncryptedFileStore keys;
    /** The PNE's EUKey, as the Server holds it. */
    final byte[] euKey = Randoms.bytes(32);
    private final ServerSocket listener;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(100);

    PneFixture(Path dir) throws IOException {
        keys = new EncryptedFileStore(dir.resolve("pne-keys"), dir.resolve("pne-keys/master.key"));
        listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(IO_TIMEOUT_MILLIS);
        opened.add(listener);
    }

    /** Gives the PNE its EUKey (TS §5.3.1 assignment, done before any PN). */
    PneFixture withEuKey() {
        keys.put(PneClient.EUKEY, euKey);
        return this;
    }

    static PneConfig config() {
        return PneConfig.of(PNE.value())
                .withContents(List.of("movies"))
                .withKeepalive(Duration.ZERO) // no pings in the scripted exchange
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /**
     * A PNE connecting to the fake PN GW on a PAN that is (not) secure. On a keyless link it
     * identifies itself with a ping, answered by {@link #acceptPlain}, which completes the connect.
     */
    PneClient client(PneConfig config, boolean panSecure) {
        PneClient c = new PneClient(config, new IpTransport("127.0.0.1", listener.getLocalPort(), panSecure), keys);
        opened.add(c);
        connecting = CompletableFuture.runAsync(() -> {
            try {
                c.connect(GW);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return c;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The PNE's keyless first link: plain frames, after its identifying ping is answered. */
    Link acceptPlain() throws Exception {
        Socket s = listener.accept();
        s.setSoTimeout(IO_TIMEOUT_MILLIS);
        Transport t = Transport.of(s);
        Link l = link(new MessageChannel(codec, t.in(), t.out(), 65536, t), null);
        if (connecting != null) {
            Envelope hello = l.receive();
            Ping ping = assertInstanceOf(Ping.class, hello.body(), "a keyless PNE first says who it is");
            l.send(new Envelope(GW, PNE, hello.id(), new Pong(ping.data())));
            connecting.get(IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            connecting = null;
        }
        return l;
    }

    /** The PNE's PSK-TLS link (seed 004 steps 6-7), the PN GW knowing only {@code localEuKey} for it. */
    Link acceptPsk(byte[] localEuKey) throws IOException {
        Socket s = listener.accept();
        TlsServerEndpoint tls = new TlsServerEndpoint(id -> PNE.value().equals(id) ? localEuKey.clone() : null, null);
        TlsConnection c = tls.accept(s, IO_TIMEOUT_MILLIS, IO_TIMEOUT_MILLIS);
        return link(new MessageChannel(codec, c.in(), c.out(), 65536, c), c.pskIdentity());
    }

    private Link link(MessageChannel ch, String pskIdentity) {
        Link l = new Link(ch, pskIdentity);
        opened.add(l);
        return l;
    }

    /** The Server's half for this PNE: rand_server is fixed per batch (step 5). */
    ResponderHandshake serverHandshake(byte[] randPne, byte[] randServer) {
        return new ResponderHandshake(suite, SERVER, PNE, euKey, randPne, randServer);
    }

    /** One link of the PNE as the PN GW sees it. */
    final class Link implements Closeable {
        final MessageChannel ch;
        /** The PSK identity TLS authenticated, or null for the plain link. */
        final String pskIdentity;

        Link(MessageChannel ch, String pskIdentity) {
            this.ch = ch;
            this.pskIdentity = pskIdentity;
        }

        Envelope receive() throws IOException {
            Envelope e = ch.receive();
            if (e == null) {
                throw new AssertionError("the PNE closed the link");
            }
            return e;
        }

        /** The PN GW's request to the PNE; returns its id, which the answer carries. */
        long request(Message m) throws IOException {
            long id = ids.incrementAndGet();
            ch.send(new Envelope(GW, PNE, id, m));
            return id;
        }

        void send(Envelope e) throws IOException {
            ch.send(e);
        }

        /** The PNE's answer to request {@code id}. */
        Message answer(long id) throws IOException {
            Envelope e = receive();
            if (e.id() != id) {
                throw new AssertionError("expected the answer to " + id + ", got " + e);
            }
            return e.body();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing everything anyway
            }
        }
        keys.close();
    }
}
