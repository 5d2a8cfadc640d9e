package io.cpns.pne;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.codec.MessageCodec;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * CPNS Entity Discovery on an IP PAN (seed 004 step 0): a {@code disc.query} to the multicast group
 * (or a unicast address) and the first {@code disc.announce} that answers.
 */
public final class IpDiscovery {
    /** The default group and port of pan-ip. */
    public static final InetSocketAddress DEFAULT_GROUP = new InetSocketAddress("239.255.77.77", 7400);

    private IpDiscovery() {
    }

    public static Optional<DiscoveryAnnounce> query(InetSocketAddress target, EntityId pne, Map<String, String> capabilities,
                                                    Duration timeout) throws IOException {
        MessageCodec codec = new MessageCodec();
        byte[] q = codec.encode(new Envelope(pne, EntityId.BROADCAST, 1, new DiscoveryQuery(EntityKind.PNE, capabilities)));
        try (DatagramSocket s = new DatagramSocket()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            s.send(new DatagramPacket(q, q.length, target));
            byte[] buf = new byte[1500];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return Optional.empty();
                }
                s.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return Optional.empty();
                }
                try {
                    Envelope e = codec.decode(Arrays.copyOf(p.getData(), p.getLength()));
                    if (e.body() instanceof DiscoveryAnnounce a && e.dst().equals(pne)) {
                        return Optional.of(a);
                    }
                } catch (RuntimeException ignored) {
                    // not an answer for us
                }
            }
        }
    }
}
