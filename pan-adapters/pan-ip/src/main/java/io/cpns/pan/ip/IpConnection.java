package io.cpns.pan.ip;

import io.cpns.codec.FrameReader;
import io.cpns.codec.FrameWriter;
import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanSecurity;
import io.cpns.session.tls.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One PNE on the IP PAN: length-prefixed CPNS frames over TCP, or over PSK-TLS on TCP. Its loop
 * ends, whatever happens, with the socket closed, the gateway told once, and the slot given back.
 */
final class IpConnection implements PanConnection {
    private final Transport transport;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final String pskIdentity;
    private final PanSecurity security;
    private final int maxFrame;
    private final Deadlines.Deadline deadline;
    private final long idleMillis;
    private final Unexpected unexpected;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable onClose;
    private volatile FrameReceiver receiver;

    /**
     * @param deadline   the connection's deadline, already set for its first frame; every whole
     *                   frame moves it {@code idleMillis} ahead
     * @param onClose    gives the slot back, before the gateway hears of the close
     */
    IpConnection(Transport transport, InputStream in, OutputStream out, String pskIdentity, PanSecurity security, int maxFrame,
                 Deadlines.Deadline deadline, long idleMillis, Unexpected unexpected, Runnable onClose) {
        this.transport = transport;
        this.reader = new FrameReader(in, maxFrame);
        this.writer = new FrameWriter(out, maxFrame);
        this.pskIdentity = pskIdentity;
        this.security = security;
        this.maxFrame = maxFrame;
        this.deadline = deadline;
        this.idleMillis = idleMillis;
        this.unexpected = unexpected;
        this.onClose = onClose;
    }

    /** Delivers frames until the PNE goes; runs on this connection's thread and never throws. */
    void pump() {
        String reason = "closed by the PNE";
        try {
            byte[] frame;
            while ((frame = reader.read()) != null) {
                deadline.in(idleMillis, "idle timeout");
                receiver.frame(frame);
            }
        } catch (java.net.SocketTimeoutException e) {
            reason = "idle timeout";
        } catch (IOException e) {
            String expired = deadline.expired();
            reason = expired != null ? expired : closed.get() ? "closed" : "I/O: " + e.getMessage();
        } catch (io.cpns.api.CpnsException e) {
            reason = "framing: " + e; // FRAME_TOO_LARGE or a truncated frame: the stream is out of sync
            reason = broken(e, reason);
        } catch (Throwable t) { // a gateway bug (an error detail that cannot be encoded...) must not leak the slot
            unexpected.log("PNE connection " + remote(), t);
            reason = Unexpected.reason(t);
        }
        close(reason);
    }

    /** The typed error to the PNE, then the gateway closes; returns the close reason. */
    private String broken(io.cpns.api.CpnsException e, String reason) {
        FrameReceiver r = receiver;
        if (r == null) {
            return reason;
        }
        try {
            r.broken(e);
            return reason;
        } catch (Throwable t) {
            unexpected.log("PNE connection " + remote(), t);
            return Unexpected.reason(t);
        }
    }

    @Override
    public String adapterId() {
        return IpPanAdapter.ID;
    }

    @Override
    public String remote() {
        return transport.remote();
    }

    @Override
    public String authenticatedIdentity() {
        return pskIdentity;
    }

    @Override
    public PanSecurity security() {
        return security;
    }

    @Override
    public int maxFrameBytes() {
        return maxFrame;
    }

    @Override
    public void receiver(FrameReceiver r) {
        this.receiver = r;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        writer.write(frame);
    }

    @Override
    public void close() {
        close("closed by the gateway");
    }

    /** Closes once: the socket, the slot, then the gateway's {@code closed}, whatever any of them throws. */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        deadline.cancel();
        try {
            transport.close();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        } finally {
            onClose.run();
        }
        FrameReceiver r = receiver;
        if (r != null) {
            try {
                r.closed(reason);
            } catch (Throwable t) {
                unexpected.log("PNE connection " + remote() + " closing", t);
            }
        }
    }
}
