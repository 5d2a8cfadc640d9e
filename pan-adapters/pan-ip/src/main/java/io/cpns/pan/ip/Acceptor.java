package io.cpns.pan.ip;

import io.cpns.api.FailureLimiter;
import io.cpns.api.LogThrottle;
import io.cpns.api.Strings;
import io.cpns.pan.spi.PanContext;
import io.cpns.pan.spi.PanSecurity;
import io.cpns.session.tls.TlsConnection;
import io.cpns.session.tls.TlsServerEndpoint;
import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.log.Logger;

/**
 * PNE connections on the bound TCP port: admission at accept (no thread for a refused one), then on
 * the connection's own thread sniffing, PSK-TLS or plain, the gateway's link, and its loop. Every
 * phase has a deadline; a source address whose PSK-TLS handshakes keep failing is refused without
 * a handshake while it backs off; no failure leaves a socket, a slot or a thread behind.
 */
final class Acceptor {
    /** TLS alert {@code access_denied}: refused by policy before the client's PSK was looked at. */
    private static final byte ACCESS_DENIED = 49;

    private final IpSettings settings;
    private final PanContext context;
    private final PanSecurity plainSecurity;
    private final TlsServerEndpoint tls;
    private final Admission admission;
    private final Deadlines deadlines;
    private final FailureLimiter tlsFailures;
    private final Logger log;
    private final Unexpected unexpected;
    private final LogThrottle throttle = new LogThrottle();
    private final Set<IpConnection> connections = ConcurrentHashMap.newKeySet();

    Acceptor(IpSettings settings, PanContext context, PanSecurity plainSecurity, Deadlines deadlines, Logger log) {
        this.settings = settings;
        this.context = context;
        this.plainSecurity = plainSecurity;
        this.tls = new TlsServerEndpoint(context::psk, null, settings.tls12Psk());
        this.admission = new Admission(settings.maxConnections(), settings.maxUnauthenticatedPerAddress());
        this.deadlines = deadlines;
        Duration base = Duration.ofMillis(settings.handshakeBackoffMillis());
        this.tlsFailures = new FailureLimiter(settings.handshakeFailuresFree(), base,
                base.compareTo(Duration.ofMinutes(5)) > 0 ? base : Duration.ofMinutes(5));
        this.log = log;
        this.unexpected = new Unexpected(log);
    }

    /** Accepts on {@code listener} until it is closed, on the thread {@code cpns-pan-ip-accept}. */
    void start(ServerSocket listener) {
        Thread t = new Thread(() -> acceptLoop(listener), "cpns-pan-ip-accept");
        t.setDaemon(true);
        t.start();
    }

    int slotsInUse() {
        return admission.inUse();
    }

    void closeAll() {
        connections.forEach(IpConnection::close);
    }

    private void acceptLoop(ServerSocket listener) {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    warn("accept", "accept failed: {}", e.toString());
                    pause();
                }
                continue;
            } catch (Throwable t) {
                unexpected.log("pan-ip accept", t);
                pause();
                continue;
            }
            admit(s);
        }
    }

    private void admit(Socket s) {
        Admission.Slot slot = null;
        try {
            Admission.Admitted a = admission.admit(s.getInetAddress());
            if (a.slot() == null) {
                warn("refused " + address(s), "PNE connection from {} refused: {}", s.getRemoteSocketAddress(), a.refusal());
                closeQuietly(s);
                return;
            }
            Admission.Slot held = a.slot();
            slot = held;
            Thread t = new Thread(() -> serve(s, held), "cpns-pan-ip-" + s.getPort());
            t.setDaemon(true);
            t.start();
        } catch (Throwable t) { // no thread to be had (OutOfMemoryError: unable to create native thread)
            unexpected.log("pan-ip accept", t);
            closeQuietly(s);
            if (slot != null) {
                slot.release();
            }
        }
    }

    /** One connection, on its own thread, from accept to close. */
    private void serve(Socket s, Admission.Slot slot) {
        long accepted = System.nanoTime();
        Deadlines.Deadline deadline = deadlines.watch(s, settings.handshakeTimeoutMillis(), "handshake timeout");
        IpConnection c = null;
        try {
            c = open(s, slot, deadline, accepted);
            if (c != null) {
                connections.add(c);
                context.connected(c);
                c.pump();
            }
        } catch (Throwable t) {
            if (c != null) { // the gateway failed to take the connection
                unexpected.log("PNE connection " + s.getRemoteSocketAddress(), t);
                c.close(Unexpected.reason(t));
            } else {
                failedBeforeCpns(s, deadline, t);
            }
        } finally {
            deadline.cancel();
            if (c != null) {
                connections.remove(c);
            }
            closeQuietly(s);
            slot.release();
        }
    }

    /** Sniffs the first byte, runs PSK-TLS if it starts a TLS record; null if the connection was refused or failed. */
    private IpConnection open(Socket s, Admission.Slot slot, Deadlines.Deadline deadline, long accepted) throws IOException {
        SniffedTransport t = new SniffedTransport(s);
        t.readTimeout(settings.handshakeTimeoutMillis());
        if (!t.startsWithTls()) {
            t.readTimeout(settings.idleTimeoutMillis());
            if (plainSecurity.sufficient()) {
                slot.authenticated(); // the operator declared this LAN secure: its plain links are its PNEs'
            }
            deadline.at(accepted + settings.firstFrameTimeoutMillis() * 1_000_000L,
                    "no whole frame within " + settings.firstFrameTimeoutMillis() + " ms of connecting");
            return new IpConnection(t, t.in(), t.out(), null, plainSecurity, settings.maxFrameBytes(), deadline,
                    settings.idleTimeoutMillis(), unexpected, slot::release);
        }
        String from = address(s);
        Duration wait = tlsFailures.delay(from);
        if (!wait.isZero()) {
            warn("backoff " + from, "PSK-TLS from {} refused without a handshake: {} failed handshakes from this address, "
                    + "next attempt in {} ms (handshakeFailuresFree, handshakeBackoffMillis)", s.getRemoteSocketAddress(),
                    tlsFailures.failures(from), wait.toMillis());
            t.refuseTls(ACCESS_DENIED);
            return null;
        }
        TlsConnection tc;
        try {
            tc = tls.accept(t, settings.handshakeTimeoutMillis(), settings.idleTimeoutMillis());
        } catch (IOException | RuntimeException e) {
            Duration next = tlsFailures.failed(from);
            String why = deadline.expired() != null ? deadline.expired() : Strings.printable(e.getMessage());
            warn("failed " + from, "PSK-TLS handshake from {} failed: {}{}", s.getRemoteSocketAddress(), why,
                    next.isZero() ? "" : "; this address backs off for " + next.toMillis() + " ms");
            return null;
        }
        tlsFailures.succeeded(from);
        slot.authenticated();
        deadline.in(settings.idleTimeoutMillis(), "idle timeout");
        return new IpConnection(t, tc.in(), tc.out(), tc.pskIdentity(), PanSecurity.FULL, settings.maxFrameBytes(), deadline,
                settings.idleTimeoutMillis(), unexpected, slot::release);
    }

    private void failedBeforeCpns(Socket s, Deadlines.Deadline deadline, Throwable t) {
        if (t instanceof Error) {
            unexpected.log("PNE connection " + s.getRemoteSocketAddress(), t);
            return;
        }
        String why = deadline.expired() != null ? deadline.expired() : Strings.printable(String.valueOf(t.getMessage()));
        LogThrottle.Decision d = throttle.allow("failed " + address(s));
        if (d.log()) {
            log.info("PNE connection from {} failed before CPNS: {}{}", s.getRemoteSocketAddress(), why, d.suffix());
        }
    }

    /** A warning, at most five a minute per key (a source address and what happened). */
    private void warn(String key, String format, Object... args) {
        LogThrottle.Decision d = throttle.allow(key);
        if (d.log()) {
            Object[] withSuffix = java.util.Arrays.copyOf(args, args.length + 1);
            withSuffix[args.length] = d.suffix();
            log.warn(format + "{}", withSuffix);
        }
    }

    private static String address(Socket s) {
        return s.getInetAddress().getHostAddress();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
