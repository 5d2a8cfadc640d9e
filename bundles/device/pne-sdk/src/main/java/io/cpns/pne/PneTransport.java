package io.cpns.pne;

import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/** How a PNE reaches its PN GW on one PAN. */
@ConsumerType
public interface PneTransport {
    /** Adapter id as the PN GW knows it ({@code ip}, {@code serial}). */
    String adapter();

    /** Whether the PAN itself protects every CPNS message (then no PNE-GW session; a PNE with UI still gets a LocalEUKey, R01). */
    boolean panSecure();

    /** Whether the transport authenticates with the PSK itself (PSK-TLS); if not, the PNE runs the message-level session. */
    boolean pskInTransport();

    /**
     * Opens a link. With {@code psk} and {@link #pskInTransport()}, the link is PSK-TLS under
     * {@code identity}; otherwise it carries frames in the clear (and the caller may run the
     * message-level session on it).
     */
    MessageChannel open(MessageCodec codec, String identity, byte[] psk) throws IOException;
}
