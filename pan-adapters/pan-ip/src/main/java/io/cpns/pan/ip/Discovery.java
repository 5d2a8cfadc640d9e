package io.cpns.pan.ip;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.LogThrottle;
import io.cpns.api.Strings;
import io.cpns.codec.MessageCodec;
import io.cpns.pan.spi.PanContext;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.service.log.Logger;

/**
 * CPNS Entity Discovery on the IP PAN (seed 004 step 0). Where it listens follows {@code host}: on
 * a given address, a socket bound to that address takes unicast queries and a second one bound to
 * the group address takes the group's queries, joined on that address's interface (or
 * {@code discoveryInterface}); on {@code 0.0.0.0}, one socket on every address does both. Every
 * answer and announcement leaves from the first socket. A query gets no answer when it claims the
 * source {@code cpns.broadcast} or the PN GW's own ID, or when its source address had its
 * {@code discoveryAnswersPerSource} answers this minute, or all sources together their
 * {@code discoveryAnswersTotal} (docs/protocol.md §6.3): the PN GW cannot be used to flood a
 * spoofed address with answers larger than the queries.
 */
final class Discovery {
    private static final int MAX_DATAGRAM = 1400;

    private final MulticastSocket socket;
    private final MulticastSocket group;
    private final InetSocketAddress groupAddress;
    private final PanContext context;
    private final Logger log;
    private final Unexpected unexpected;
    private final MessageCodec codec = new MessageCodec();
    private final LogThrottle perSource;
    private final int answersPerSource;
    private final LogThrottle total;
    private final LogThrottle refusals = new LogThrottle(1, Duration.ofMinutes(1), 1000, Clock.systemUTC());
    private final ScheduledFuture<?> announcing;
    private volatile boolean oversizeWarned;

    Discovery(IpSettings s, PanContext context, Logger log, ScheduledExecutorService timer) throws IOException {
        this.context = context;
        this.log = log;
        this.unexpected = new Unexpected(log);
        this.answersPerSource = s.discoveryAnswersPerSource();
        this.perSource = budget(answersPerSource, 4096);
        this.total = budget(s.discoveryAnswersTotal(), 1);
        InetAddress host = InetAddress.getByName(s.host());
        this.groupAddress = new InetSocketAddress(InetAddress.getByName(s.discoveryGroup()), s.discoveryPort());
        NetworkInterface nif = s.discoveryInterface().isBlank()
                ? host.isAnyLocalAddress() ? null : NetworkInterface.getByInetAddress(host)
                : NetworkInterface.getByName(s.discoveryInterface());
        this.socket = bound(new InetSocketAddress(host, s.discoveryPort()));
        MulticastSocket g = null;
        try {
            if (nif != null) {
                socket.setNetworkInterface(nif); // announcements leave where the PNEs are
            }
            if (host.isAnyLocalAddress()) {
                join(socket, nif);
            } else {
                g = groupSocket(nif);
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        this.group = g;
        listen(socket, "cpns-pan-ip-discovery");
        if (group != null) {
            listen(group, "cpns-pan-ip-discovery-group");
        }
        announcing = s.announceSeconds() > 0
                ? timer.scheduleWithFixedDelay(this::announce, 0, s.announceSeconds(), TimeUnit.SECONDS) : null;
    }

    /** At most {@code perMinute} answers per key a minute; 0 = no limit. */
    private static LogThrottle budget(int perMinute, int keys) {
        return perMinute <= 0 ? null : new LogThrottle(perMinute, Duration.ofMinutes(1), keys, Clock.systemUTC());
    }

    private static MulticastSocket bound(InetSocketAddress at) throws IOException {
        MulticastSocket m = new MulticastSocket(null);
        try {
            m.setReuseAddress(true); // the group socket shares the port
            m.bind(at);
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A socket bound to the group address receives only the group's datagrams (Linux, BSD); null if this host cannot. */
    private MulticastSocket groupSocket(NetworkInterface nif) {
        MulticastSocket g = null;
        try {
            g = bound(groupAddress);
            if (!join(g, nif)) {
                g.close();
                return null;
            }
            return g;
        } catch (IOException | RuntimeException e) {
            if (g != null) {
                g.close();
            }
            log.warn("discovery: cannot listen to multicast group {} ({}); unicast queries to {} still answered",
                    groupAddress, e.toString(), socket.getLocalSocketAddress());
            return null;
        }
    }

    private boolean join(MulticastSocket m, NetworkInterface nif) {
        try {
            m.joinGroup(groupAddress, nif);
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("discovery: cannot join multicast group {} on {} ({}); unicast queries still answered", groupAddress,
                    nif == null ? "the default interface" : nif.getName(), e.toString());
            return false;
        }
    }

    private void listen(MulticastSocket on, String name) {
        Thread t = new Thread(() -> answer(on), name);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void answer(MulticastSocket on) {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (!on.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                on.receive(p);
                answer(p.getAddress(), p.getSocketAddress(), Arrays.copyOf(p.getData(), p.getLength()));
            } catch (SocketException closed) {
                if (on.isClosed()) {
                    return;
                }
                log.debug("discovery datagram ignored: {}", closed.toString());
            } catch (IOException e) {
                log.debug("discovery datagram ignored: {}", e.toString());
            } catch (Throwable t) { // the loop outlives any bug: discovery must keep answering
                unexpected.log("discovery", t);
            }
        }
    }

    private void answer(InetAddress from, SocketAddress replyTo, byte[] query) throws IOException {
        EntityId src;
        try {
            src = codec.decode(query).src();
        } catch (CpnsException garbage) {
            return; // no answer to garbage
        }
        if (src.equals(EntityId.BROADCAST) || src.value().equals(context.gatewayId())) {
            refused("source " + from.getHostAddress(), "discovery query from {} refused: it claims the source {}, which no PNE may use",
                    replyTo, Strings.printable(src.value()));
            return;
        }
        String source = from.getHostAddress();
        if (perSource != null && !perSource.allow(source).log()) {
            refused("budget " + source, "discovery queries from {} unanswered: {} answers a minute per address "
                    + "(discoveryAnswersPerSource)", source, answersPerSource);
            return;
        }
        if (total != null && !total.allow("all").log()) {
            refused("budget", "discovery queries unanswered, the last from {}: the answers of this minute are spent "
                    + "(discoveryAnswersTotal)", source);
            return;
        }
        byte[] reply = context.discovery(query);
        if (reply != null && fits(reply)) {
            socket.send(new DatagramPacket(reply, reply.length, replyTo));
        }
    }

    /** One line a minute per key (what was refused, and from which address), with how many were left out. */
    private void refused(String key, String format, Object... args) {
        LogThrottle.Decision d = refusals.allow(key);
        if (d.log()) {
            Object[] withSuffix = Arrays.copyOf(args, args.length + 1);
            withSuffix[args.length] = d.suffix();
            log.warn(format + "{}", withSuffix);
        }
    }

    private void announce() {
        try {
            byte[] a = context.announcement();
            if (fits(a)) {
                socket.send(new DatagramPacket(a, a.length, groupAddress));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("discovery announcement failed: {}", e.toString());
        }
    }

    /** One unfragmented datagram on any LAN; a larger announcement (many PANs, long capabilities) is not sent. */
    private boolean fits(byte[] datagram) {
        if (datagram.length <= MAX_DATAGRAM) {
            return true;
        }
        if (!oversizeWarned) {
            oversizeWarned = true;
            log.warn("discovery announcement of {} bytes exceeds {} bytes: not sent; shorten the capabilities or PAN list",
                    datagram.length, MAX_DATAGRAM);
        }
        return false;
    }

    void close() {
        if (announcing != null) {
            announcing.cancel(false);
        }
        socket.close();
        if (group != null) {
            group.close();
        }
    }
}
