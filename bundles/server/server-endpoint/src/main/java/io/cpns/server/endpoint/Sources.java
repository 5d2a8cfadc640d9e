package io.cpns.server.endpoint;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The source a connection's password attempts and log lines are counted against: its IPv4
 * address, or its IPv6 /64 (one host usually holds a whole /64, so single IPv6 addresses would
 * give it as many budgets as it likes). A PNE's bootstrap through its PN GW's tunnel arrives on a
 * connection of the PN GW: its source is the PN GW's address.
 */
final class Sources {
    private Sources() {
    }

    static String of(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return String.valueOf(remote);
        }
        InetAddress a = isa.getAddress();
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            return String.format("%x:%x:%x:%x::/64", word(b, 0), word(b, 2), word(b, 4), word(b, 6));
        }
        return a.getHostAddress();
    }

    private static int word(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }
}
