package io.cpns.pan.spi;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/** One PNE's link on a PAN: CPNS frames in, CPNS frames out. */
@ConsumerType
public interface PanConnection {
    String adapterId();

    /** Remote address for logs and operators. */
    String remote();

    /** The PNE identity the transport proved with a PSK (PSK-TLS), or {@code null}. */
    String authenticatedIdentity();

    /** What protects CPNS messages on this link: the PAN's own security, or the transport's (TLS). */
    PanSecurity security();

    int maxFrameBytes();

    /** Set once by the gateway, before any frame is delivered. Frames arrive on the adapter's thread, in order. */
    void receiver(FrameReceiver receiver);

    /** Sends one frame; thread-safe. */
    void send(byte[] frame) throws IOException;

    /** Closes the link; the receiver gets {@link FrameReceiver#closed} once. */
    void close();
}
