package io.cpns.pan.serial;

import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanSecurity;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/** The PNE link on one serial line, from its first frame to the next line reset. */
final class SerialConnection implements PanConnection {
    private final SerialLine line;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile FrameReceiver receiver;

    SerialConnection(SerialLine line) {
        this.line = line;
    }

    @Override
    public String adapterId() {
        return SerialPanAdapter.ID;
    }

    @Override
    public String remote() {
        return line.port();
    }

    @Override
    public String authenticatedIdentity() {
        return null; // no TLS on a serial line: the gateway runs the message-level session
    }

    @Override
    public PanSecurity security() {
        return line.settings().security();
    }

    @Override
    public int maxFrameBytes() {
        return line.settings().maxFrameBytes();
    }

    @Override
    public void receiver(FrameReceiver r) {
        receiver = r;
    }

    void deliver(byte[] frame) {
        receiver.frame(frame);
    }

    @Override
    public void send(byte[] frame) throws IOException {
        if (ended.get()) {
            throw new IOException("the link on " + line.port() + " has ended");
        }
        line.write(frame);
    }

    /** The gateway ends the link: the PNE is told with a line reset. */
    @Override
    public void close() {
        end("closed by the gateway", true);
    }

    void end(String reason, boolean resetLine) {
        if (ended.compareAndSet(false, true)) {
            if (resetLine) {
                line.writeReset();
            }
            line.ended(this);
            FrameReceiver r = receiver;
            if (r != null) {
                try {
                    r.closed(reason);
                } catch (Throwable t) { // the link is over either way; the line goes on
                    line.unexpected("when the link ended", t);
                }
            }
        }
    }
}
