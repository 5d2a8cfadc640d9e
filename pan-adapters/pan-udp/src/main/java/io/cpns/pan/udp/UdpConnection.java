package io.cpns.pan.udp;

import io.cpns.api.CpnsException;
import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanSecurity;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One PNE's link: the datagrams from one source address, until an empty datagram (link reset), an
 * idle timeout, the gateway's {@link #close()} or the adapter's stop. {@code closed} is called
 * exactly once; {@link #send} is thread-safe ({@link DatagramSocket#send} is).
 */
final class UdpConnection implements PanConnection {
    private static final byte[] RESET = new byte[0];

    private final Segment segment;
    private final DatagramSocket socket;
    private final InetSocketAddress address;
    private final int maxFrameBytes;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile FrameReceiver receiver;
    private volatile long lastFrameMillis;

    UdpConnection(Segment segment, DatagramSocket socket, InetSocketAddress address, int maxFrameBytes, long nowMillis) {
        this.segment = segment;
        this.socket = socket;
        this.address = address;
        this.maxFrameBytes = maxFrameBytes;
        this.lastFrameMillis = nowMillis;
    }

    InetSocketAddress address() {
        return address;
    }

    long lastFrameMillis() {
        return lastFrameMillis;
    }

    @Override
    public String adapterId() {
        return UdpPanAdapter.ID;
    }

    @Override
    public String remote() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public String authenticatedIdentity() {
        return null; // nothing on this PAN proves a PSK: gw-pan runs the message-level session
    }

    @Override
    public PanSecurity security() {
        return PanSecurity.NONE;
    }

    @Override
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    @Override
    public void receiver(FrameReceiver r) {
        receiver = r;
    }

    /** A frame from the PNE, on the segment's reader thread; dropped once the link has ended. */
    void deliver(byte[] frame, long nowMillis) {
        if (ended.get()) {
            return;
        }
        lastFrameMillis = nowMillis;
        receiver.frame(frame);
    }

    /** The PNE sent more than this PAN carries: the gateway answers FRAME_TOO_LARGE and closes the link. */
    void broken(CpnsException e) {
        if (!ended.get()) {
            receiver.broken(e);
        }
    }

    @Override
    public void send(byte[] frame) throws IOException {
        if (ended.get()) {
            throw new IOException("UDP link to " + remote() + " has ended");
        }
        if (frame.length == 0 || frame.length > maxFrameBytes) {
            throw new IOException("a frame of " + frame.length + " bytes is not one datagram of this PAN (1.." + maxFrameBytes + ")");
        }
        socket.send(new DatagramPacket(frame, frame.length, address));
    }

    @Override
    public void close() {
        end("closed by the gateway", true);
    }

    /** Ends the link once: tells the PNE with an empty datagram if asked, then the gateway. */
    void end(String reason, boolean tellPne) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (tellPne) {
            reset(socket, address);
        }
        segment.ended(this);
        FrameReceiver r = receiver;
        if (r != null) {
            try {
                r.closed(reason);
            } catch (RuntimeException | Error t) { // a gateway bug: the link is gone for this adapter anyway
                segment.unexpected("closed " + remote(), t);
            }
        }
    }

    /** An empty datagram: "your link is over" (to a PNE) or "I start a new link" (from one). */
    static void reset(DatagramSocket socket, InetSocketAddress to) {
        try {
            socket.send(new DatagramPacket(RESET, 0, to));
        } catch (IOException ignored) {
            // the PNE learns it at its next request's timeout instead
        }
    }
}
