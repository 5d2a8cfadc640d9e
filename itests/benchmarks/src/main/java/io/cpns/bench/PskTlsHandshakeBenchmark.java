package io.cpns.bench;

import io.cpns.api.EntityId;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.session.ChannelHandshake;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import io.cpns.session.tls.TlsServerEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GW↔Server connection set-up over loopback, client and server in this JVM (so on 2 cores both
 * compete for the CPU): a TLS 1.3 external-PSK handshake (psk_dhe_ke, X25519/P-256 ECDHE), and the
 * same followed by the message-level mutual authentication (what a PN GW does per (re)connect).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class PskTlsHandshakeBenchmark {
    private static final EntityId GW = EntityId.of("gw-bench");
    private static final EntityId SERVER = EntityId.of("cpns-server");

    private final byte[] psk = Randoms.bytes(32);
    private final MessageCodec codec = new MessageCodec();
    private ServerSocket listener;
    private ExecutorService server;
    private volatile boolean sessions;

    @Setup(Level.Trial)
    public void start() throws IOException {
        listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        TlsServerEndpoint tls = new TlsServerEndpoint(id -> psk.clone(), null);
        server = Executors.newFixedThreadPool(2);
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    server.execute(() -> serve(tls, s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
    }

    private void serve(TlsServerEndpoint tls, Socket s) {
        try (TlsConnection c = tls.accept(s, 5000, 5000)) {
            if (sessions) {
                MessageChannel ch = new MessageChannel(codec, c.in(), c.out(), 65536, c);
                ChannelHandshake.respond(ch, ch.receive(), SERVER, psk).close();
            } else {
                c.in().read(); // wait for the client's close
            }
        } catch (IOException e) {
            // client went away
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        listener.close();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    private Socket dial() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** TLS 1.3 external PSK handshake only. */
    @Benchmark
    public void pskTls13Handshake() throws IOException {
        sessions = false;
        TlsClientEndpoint.psk(dial(), GW.value(), psk, 5000, 5000).close();
    }

    /** PSK-TLS handshake + sess.hello/challenge/proof/confirm: one authenticated GW↔Server session. */
    @Benchmark
    public void pskTlsPlusSecureSession() throws IOException {
        sessions = true;
        try (TlsConnection c = TlsClientEndpoint.psk(dial(), GW.value(), psk, 5000, 5000)) {
            MessageChannel ch = new MessageChannel(codec, c.in(), c.out(), 65536, c);
            ChannelHandshake.initiate(ch, Suites.modern(), GW, SERVER, psk).close();
        }
    }
}
