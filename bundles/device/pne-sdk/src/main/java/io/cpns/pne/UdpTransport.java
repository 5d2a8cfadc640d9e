package io.cpns.pne;

import io.cpns.codec.FrameSink;
import io.cpns.codec.FrameSource;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A UDP segment to the PN GW's pan-udp port: one datagram = one CPNS frame, an empty datagram =
 * link reset either way (docs/adapter-guide.md §8). No TLS: the PNE-GW secure session is the
 * message-level one (TS §5.3.3.1.1). Each link uses its own socket, so the PN GW sees a new source
 * address, and the link opens with a reset in case a restarted PNE reuses a port.
 */
public final class UdpTransport implements PneTransport {
    private final InetSocketAddress gateway;
    private final int maxFrame;

    public UdpTransport(String host, int port) {
        this(host, port, 65000);
    }

    public UdpTransport(String host, int port, int maxFrame) {
        this.gateway = new InetSocketAddress(host, port);
        this.maxFrame = maxFrame;
    }

    /** From a discovery answer's {@code host:port}. */
    public static UdpTransport of(String address) {
        int colon = address.lastIndexOf(':');
        return new UdpTransport(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    @Override
    public String adapter() {
        return "udp";
    }

    @Override
    public boolean panSecure() {
        return false; // anyone on the segment can send under any source address
    }

    @Override
    public boolean pskInTransport() {
        return false;
    }

    @Override
    public MessageChannel open(MessageCodec codec, String identity, byte[] psk) throws IOException {
        // not connect()ed: a connected DatagramSocket sends no empty datagram (JDK 17), and the reset is one
        DatagramSocket s = new DatagramSocket();
        try {
            reset(s); // whatever the PN GW knew of this address is over
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        byte[] buf = new byte[maxFrame + 1]; // one byte more: a longer datagram shows as too long
        FrameSource reader = () -> {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            do {
                try {
                    s.receive(p);
                } catch (IOException e) {
                    if (s.isClosed()) {
                        return null; // closed here: a clean end
                    }
                    throw e;
                }
            } while (!gateway.equals(p.getSocketAddress())); // only the PN GW's datagrams count
            if (p.getLength() > maxFrame) {
                throw new IOException("a datagram of more than " + maxFrame + " bytes from the PN GW");
            }
            return p.getLength() == 0 ? null : Arrays.copyOf(buf, p.getLength()); // empty: the PN GW ended the link
        };
        FrameSink writer = frame -> {
            if (frame.length == 0 || frame.length > maxFrame) {
                throw new IOException("a frame of " + frame.length + " bytes is not one datagram (1.." + maxFrame + ")");
            }
            s.send(new DatagramPacket(frame, frame.length, gateway));
        };
        AtomicBoolean closed = new AtomicBoolean();
        return new MessageChannel(codec, reader, writer, () -> {
            if (closed.getAndSet(true)) {
                return;
            }
            try {
                reset(s); // the PN GW ends the link now, not at its idle timeout
            } finally {
                s.close();
            }
        });
    }

    private void reset(DatagramSocket s) throws IOException {
        s.send(new DatagramPacket(new byte[0], 0, gateway));
    }

    @Override
    public String toString() {
        return "udp:" + gateway.getHostString() + ":" + gateway.getPort();
    }
}
