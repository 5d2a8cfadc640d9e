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

/** One PNE on the IP PAN: length-prefixed CPNS frames over TCP, or over PSK-TLS on TCP. */
final class IpConnection implements PanConnection {
    private final Transport transport;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final String pskIdentity;
    private final PanSecurity security;
    private final int maxFrame;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable onClose;
    private volatile FrameReceiver receiver;

    IpConnection(Transport transport, InputStream in, OutputStream out, String pskIdentity, PanSecurity security, int maxFrame,
                 Runnable onClose) {
        this.transport = transport;
        this.reader = new FrameReader(in, maxFrame);
        this.writer = new FrameWriter(out, maxFrame);
        this.pskIdentity = pskIdentity;
        this.security = security;
        this.maxFrame = maxFrame;
        this.onClose = onClose;
    }

    /** Delivers frames until the PNE goes; runs on this connection's thread. */
    void pump() {
        String reason = "closed by the PNE";
        try {
            byte[] frame;
            while ((frame = reader.read()) != null) {
                receiver.frame(frame);
            }
        } catch (java.net.SocketTimeoutException e) {
            reason = "idle timeout";
        } catch (IOException e) {
            reason = closed.get() ? "closed" : "I/O: " + e.getMessage();
        } catch (io.cpns.api.CpnsException e) {
            reason = "framing: " + e; // FRAME_TOO_LARGE or a truncated frame: the stream is out of sync
            FrameReceiver r = receiver;
            if (r != null) {
                r.broken(e); // the typed error to the PNE, then the gateway closes
            }
        }
        close(reason);
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

    private void close(String reason) {
        if (closed.compareAndSet(false, true)) {
            try {
                transport.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            onClose.run();
            FrameReceiver r = receiver;
            if (r != null) {
                r.closed(reason);
            }
        }
    }
}
