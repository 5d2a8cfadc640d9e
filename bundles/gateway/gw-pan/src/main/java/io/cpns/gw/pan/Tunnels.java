package io.cpns.gw.pan;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.TunnelClose;
import io.cpns.api.message.TunnelData;
import io.cpns.api.message.TunnelOpened;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * EUKey tunnels (EUKey assignment to a PNE with UI, TS §5.3.1): a PNE's {@code tunnel.open} gets a
 * TCP connection to the CPNS Server's bootstrap endpoint, over which it runs TLS end to end; its
 * {@code tunnel.data} and {@code tunnel.close} go to that {@link Tunnel}.
 * <p>
 * {@link #open} and {@link #oneWayFromPne} are called on the adapter's reader thread and do not block
 * it: the connect to the Server (up to {@code tunnelConnectTimeoutMillis}) and the wait for a previous
 * tunnel's close run on this class's own threads (at most {@code maxTunnels} at once: each holds a
 * tunnel slot), so the link's other requests are answered meanwhile. {@code tunnel.opened} (or the
 * error) is sent when the connect completes.
 */
final class Tunnels {
    /** How long a {@code tunnel.open} waits for the previous tunnel's close under way on another thread. */
    private static final long CLOSE_WAIT_MILLIS = 2000;

    /** How a tunnel's answer goes back: on the link its {@code tunnel.open} came on. */
    interface Replies {
        void replyOn(Link link, Envelope request, Message response);
    }

    private final EntityId gatewayId;
    private final Settings settings;
    private final Supplier<ServerLink> serverLink;
    private final Replies replies;
    private final Logger log;
    private final AtomicInteger open = new AtomicInteger();
    /** Links whose {@code tunnel.open} is being connected: a second one meanwhile is refused like one on an open tunnel. */
    private final Set<Link> opening = ConcurrentHashMap.newKeySet();
    private final ExecutorService connector = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cpns-gw-tunnel-connect");
        t.setDaemon(true);
        return t;
    });

    Tunnels(EntityId gatewayId, Settings settings, Supplier<ServerLink> serverLink, Replies replies, Logger log) {
        this.gatewayId = gatewayId;
        this.settings = settings;
        this.serverLink = serverLink;
        this.replies = replies;
        this.log = log;
    }

    /** A PNE's {@code tunnel.open}: answered from a connector thread once the Server is reached (or not). */
    void open(Link link, Envelope e) {
        if (!opening.add(link)) {
            replies.replyOn(link, e, alreadyOpen());
            return;
        }
        try {
            connector.execute(() -> connect(link, e));
        } catch (RejectedExecutionException stopping) {
            opening.remove(link);
            replies.replyOn(link, e, ErrorMessage.of(new CpnsException(ErrorCode.UNAVAILABLE, "PAN side stopping")));
        }
    }

    private void connect(Link link, Envelope e) {
        Tunnel t;
        Message answer;
        try {
            Tunnel old = link.tunnel();
            if (old != null) {
                old.awaitClosed(CLOSE_WAIT_MILLIS); // the Server's EOF may be closing it right now
            }
            t = link.tunnel() != null ? null : connect(link);
            answer = t != null ? new TunnelOpened() : alreadyOpen(); // the previous close did not finish in time
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            t = null;
            answer = ErrorMessage.of(new CpnsException(ErrorCode.UNAVAILABLE, "PAN side stopping"));
        } catch (CpnsException x) {
            t = null;
            answer = ErrorMessage.of(x);
        } finally {
            opening.remove(link);
        }
        replies.replyOn(link, e, answer);
        if (t != null) {
            t.start(); // after tunnel.opened: the PNE hears it before the Server's first bytes
            log.info("PNE {} opened a tunnel to the CPNS Server for EUKey assignment", link.pne());
        }
    }

    private static ErrorMessage alreadyOpen() {
        return ErrorMessage.of(new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "a tunnel is already open on this link"));
    }

    /** Takes a slot and connects; the tunnel is the link's, not yet started. */
    private Tunnel connect(Link link) {
        ServerLink sl = serverLink.get();
        if (sl == null || open.incrementAndGet() > settings.maxTunnels()) {
            if (sl != null) {
                open.decrementAndGet();
            }
            throw new CpnsException(ErrorCode.UNAVAILABLE, sl == null ? "no server link on this PN GW" : "too many tunnels open; try again later");
        }
        InetSocketAddress server = sl.serverAddress();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(server.getHostString(), server.getPort()), (int) settings.tunnelConnectTimeout().toMillis());
            socket.setSoTimeout((int) settings.tunnelIdle().toMillis());
            socket.setTcpNoDelay(true);
        } catch (IOException x) {
            open.decrementAndGet();
            closeQuietly(socket);
            throw new CpnsException(ErrorCode.UNAVAILABLE, "cannot reach the CPNS Server at " + server);
        }
        Tunnel t = new Tunnel(link, socket, gatewayId, settings.tunnelMaxBytes(), open::decrementAndGet);
        link.tunnel(t);
        if (link.isClosed()) { // it closed while we connected: its close did not see this tunnel
            t.close("link closed");
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the link closed");
        }
        return t;
    }

    /** A PNE's {@code tunnel.data} or {@code tunnel.close}, on the link's reader thread. */
    void oneWayFromPne(Link link, Envelope e) {
        Tunnel t = link.tunnel();
        if (e.body() instanceof TunnelData d) {
            if (t == null) {
                link.fail(new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "tunnel.data without an open tunnel"));
            } else {
                t.fromPne(d.data());
            }
        } else if (e.body() instanceof TunnelClose && t != null) {
            t.close("closed by the PNE");
        }
    }

    /** The PAN side stops: connects under way finish (bounded by their timeout) on daemon threads, none starts. */
    void stop() {
        connector.shutdownNow();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
