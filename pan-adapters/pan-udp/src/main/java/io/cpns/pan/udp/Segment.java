package io.cpns.pan.udp;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.LogThrottle;
import io.cpns.pan.spi.PanContext;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.log.Logger;

/**
 * One started UDP PAN: the bound socket, the one thread that reads every datagram (so the frames
 * of one PNE reach the gateway in order, one at a time), and the table of links by source address.
 * A datagram is classified in this order: empty = link reset; larger than {@code maxFrameBytes} =
 * FRAME_TOO_LARGE on its link, else dropped; from an address without a link, a discovery query
 * (answered within a budget, no link) or the first frame of a new link (refused once
 * {@code maxPeers} links exist).
 */
final class Segment {
    /** How often the reader looks up from {@code receive} to see whether it is stopping or a link is idle. */
    private static final int POLL_MILLIS = 250;
    private static final long SWEEP_MILLIS = 1000;
    private static final long MAX_BIND_RETRY_MILLIS = 30_000;

    private final UdpSettings settings;
    private final PanContext context;
    private final Clock clock;
    private final Drops drops;
    private volatile DatagramSocket socket;
    private volatile String bindProblem;
    private final Map<InetSocketAddress, UdpConnection> links = new ConcurrentHashMap<>();
    private final LogThrottle discoveryBudget;
    private final Thread reader;
    private volatile boolean running = true;

    private Segment(UdpSettings settings, PanContext context, Logger log, Clock clock) {
        this.settings = settings;
        this.context = context;
        this.clock = clock;
        this.drops = new Drops(log, clock);
        this.discoveryBudget = settings.discoveryAnswersPerMinute() == 0 ? null
                : new LogThrottle(settings.discoveryAnswersPerMinute(), Duration.ofMinutes(1), 1, clock);
        this.reader = new Thread(this::run, "cpns-pan-udp-" + settings.port());
        reader.setDaemon(true);
    }

    /** Starts the reader, which binds the port (retrying while it cannot) and reads; returns at once. */
    static Segment start(UdpSettings settings, PanContext context, Logger log, Clock clock) {
        Segment segment = new Segment(settings, context, log, clock);
        segment.reader.start();
        return segment;
    }

    /** The bound port, or -1 while the port is not bound. */
    int localPort() {
        DatagramSocket s = socket;
        return s == null ? -1 : s.getLocalPort();
    }

    /** Why the port is not bound yet (for {@code cpns:health}), or null. */
    String bindProblem() {
        return bindProblem;
    }

    private void run() {
        DatagramSocket s = bind();
        if (s != null) {
            read();
        }
    }

    /**
     * Binds the port, retried after {@code bindRetryMillis} doubling up to 30 s while it is in use
     * or the address is not up yet: a port that frees later must not need a restart (adapter guide §2.1).
     */
    private DatagramSocket bind() {
        long wait = settings.bindRetryMillis();
        while (running) {
            try {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(settings.host(), settings.port()));
                s.setSoTimeout(POLL_MILLIS);
                socket = s;
                bindProblem = null;
                return s;
            } catch (SocketException | RuntimeException e) {
                bindProblem = "pan-udp cannot bind " + settings.host() + ":" + settings.port() + " (" + e.getMessage()
                        + "); retrying every " + wait + " ms up to 30 s (cpns.pan.udp host, port)";
                drops.warn("bind", "{}", bindProblem);
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException stopping) {
                return null;
            }
            wait = Math.min(wait * 2, MAX_BIND_RETRY_MILLIS);
        }
        return null;
    }

    int links() {
        return links.size();
    }

    private void read() {
        byte[] buf = new byte[settings.maxFrameBytes() + 1]; // one byte more: a longer datagram shows as too long
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        long nextSweep = clock.millis() + SWEEP_MILLIS;
        try {
            while (running) {
                if (clock.millis() >= nextSweep) { // on this thread: an idle end never races a frame of that link
                    endIdle();
                    nextSweep = clock.millis() + SWEEP_MILLIS;
                }
                p.setLength(buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException poll) {
                    continue;
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return; // stop() gave up waiting for this thread and closed the socket
                    }
                    drops.warn("receive", "UDP PAN: receive failed: {}", e.toString());
                    continue;
                }
                try {
                    handle((InetSocketAddress) p.getSocketAddress(), buf, p.getLength());
                } catch (IOException e) { // a discovery answer not sent: the PNE asks again
                    drops.warn("send", "UDP PAN: answer to {} not sent: {}", p.getSocketAddress(), e.toString());
                } catch (RuntimeException | Error t) { // a gateway bug outside a link's callbacks: the reader goes on
                    drops.unexpected("UDP datagram from " + p.getSocketAddress(), t);
                }
            }
        } finally {
            endAll("PAN adapter stopped");
            socket.close();
        }
    }

    private void handle(InetSocketAddress from, byte[] buf, int length) throws IOException {
        UdpConnection c = links.get(from);
        if (length == 0) {
            if (c != null) {
                c.end("link reset by the PNE", false);
            }
            return;
        }
        if (length > settings.maxFrameBytes()) {
            if (c != null) {
                c.broken(new CpnsException(ErrorCode.FRAME_TOO_LARGE,
                        "a datagram of more than " + settings.maxFrameBytes() + " bytes (maxFrameBytes)"));
            } else {
                drops.warn("too large", "UDP PAN: datagram of more than {} bytes from {} without a link dropped (maxFrameBytes)",
                        settings.maxFrameBytes(), from);
            }
            return;
        }
        byte[] frame = Arrays.copyOf(buf, length);
        if (c == null) {
            if (answeredDiscovery(from, frame)) {
                return;
            }
            c = open(from);
            if (c == null) {
                return;
            }
        }
        try {
            c.deliver(frame, clock.millis());
        } catch (RuntimeException | Error t) { // a gateway bug: end this link, keep reading for the others
            drops.unexpected("UDP frame from " + from, t);
            c.end(Drops.reason(t), true);
        }
    }

    /** A {@code disc.query} from an address without a link: answered (within the budget), no link. */
    private boolean answeredDiscovery(InetSocketAddress from, byte[] frame) throws IOException {
        byte[] answer = context.discovery(frame);
        if (answer == null) {
            return false;
        }
        // an answer is larger than its query: the budget keeps a spoofed source from using us as an amplifier
        if (discoveryBudget != null && !discoveryBudget.allow("all").log()) {
            drops.warn("discovery budget", "UDP PAN: discovery queries unanswered, the last from {}: {} answers a minute "
                    + "(discoveryAnswersPerMinute)", from, settings.discoveryAnswersPerMinute());
        } else if (answer.length <= settings.maxFrameBytes()) {
            socket.send(new DatagramPacket(answer, answer.length, from));
        }
        return true;
    }

    /** A new link for {@code from}, reported to the gateway; null (and the PNE told) if the table is full. */
    private UdpConnection open(InetSocketAddress from) {
        if (links.size() >= settings.maxPeers()) { // only this thread adds: the check holds until the put
            drops.warn("full", "UDP PAN: {} links open (maxPeers); datagrams from new addresses, the last from {}, refused",
                    settings.maxPeers(), from);
            UdpConnection.reset(socket, from); // a real PNE learns its link did not start; no amplification
            return null;
        }
        UdpConnection c = new UdpConnection(this, socket, from, settings.maxFrameBytes(), clock.millis());
        links.put(from, c);
        try {
            context.connected(c); // the gateway sets the receiver before it returns
            return c;
        } catch (RuntimeException | Error t) {
            drops.unexpected("UDP link from " + from, t);
            c.end(Drops.reason(t), true);
            return null;
        }
    }

    /** Ends the links silent for {@code idleTimeoutSeconds}. */
    private void endIdle() {
        long limit = clock.millis() - settings.idleTimeoutSeconds() * 1000L;
        for (UdpConnection c : List.copyOf(links.values())) {
            if (c.lastFrameMillis() <= limit) {
                c.end("idle for " + settings.idleTimeoutSeconds() + " s", true);
            }
        }
    }

    void ended(UdpConnection c) {
        links.remove(c.address(), c);
    }

    void unexpected(String where, Throwable t) {
        drops.unexpected(where, t);
    }

    private void endAll(String reason) {
        for (UdpConnection c : List.copyOf(links.values())) {
            c.end(reason, true);
        }
    }

    /** Stops reading, ends every link (each PNE told, each {@code closed} once) and frees the port. */
    void stop() throws InterruptedException {
        running = false;
        if (socket == null) {
            reader.interrupt(); // waiting to retry the bind
        }
        reader.join(POLL_MILLIS * 8L);
        DatagramSocket s = socket;
        if (reader.isAlive() && s != null) { // the gateway holds the reader in a frame: free the port and the links anyway
            s.close();
            endAll("PAN adapter stopped");
        }
    }
}
