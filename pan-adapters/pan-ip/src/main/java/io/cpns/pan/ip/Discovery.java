package io.cpns.pan.ip;

import io.cpns.pan.spi.PanContext;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.log.Logger;

/**
 * CPNS Entity Discovery on the IP PAN (seed 004 step 0): a UDP socket on the discovery port that
 * joins the multicast group, answers every {@code disc.query} (multicast or unicast) with a
 * unicast {@code disc.announce}, and announces to the group periodically.
 */
final class Discovery {
    private static final int MAX_DATAGRAM = 1400;
    private volatile boolean oversizeWarned;

    private final MulticastSocket socket;
    private final InetSocketAddress group;
    private final PanContext context;
    private final Logger log;
    private final ScheduledExecutorService announcer;

    Discovery(IpSettings s, PanContext context, Logger log) throws IOException {
        this.context = context;
        this.log = log;
        this.group = new InetSocketAddress(InetAddress.getByName(s.discoveryGroup()), s.discoveryPort());
        this.socket = new MulticastSocket(s.discoveryPort());
        NetworkInterface nif = s.discoveryInterface().isBlank() ? null : NetworkInterface.getByName(s.discoveryInterface());
        try {
            socket.joinGroup(group, nif);
            if (nif != null) {
                socket.setNetworkInterface(nif);
            }
        } catch (IOException e) {
            log.warn("discovery: cannot join multicast group {} ({}); unicast queries still answered", group, e.toString());
        }
        Thread t = new Thread(this::answer, "cpns-pan-ip-discovery");
        t.setDaemon(true);
        t.start();
        announcer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread a = new Thread(r, "cpns-pan-ip-announce");
            a.setDaemon(true);
            return a;
        });
        if (s.announceSeconds() > 0) {
            announcer.scheduleWithFixedDelay(this::announce, 0, s.announceSeconds(), TimeUnit.SECONDS);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    private void answer() {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] reply = context.discovery(Arrays.copyOf(p.getData(), p.getLength()));
                if (reply != null && fits(reply)) {
                    socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                log.debug("discovery datagram ignored: {}", e.toString());
            }
        }
    }

    private void announce() {
        try {
            byte[] a = context.announcement();
            if (fits(a)) {
                socket.send(new DatagramPacket(a, a.length, group));
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
        announcer.shutdownNow();
        socket.close();
    }
}
