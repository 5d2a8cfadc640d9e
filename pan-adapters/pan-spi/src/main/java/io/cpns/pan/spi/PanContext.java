package io.cpns.pan.spi;

import org.osgi.annotation.versioning.ProviderType;

/** What the gateway offers an adapter. Thread-safe; calls return quickly. */
@ProviderType
public interface PanContext {
    /** The PN GW's Entity ID. */
    String gatewayId();

    /**
     * The PSK shared with a PNE (its LocalEUKey, else its pre-assigned key), for adapters whose
     * transport runs PSK-TLS itself; {@code null} if the gateway has none. The caller wipes it.
     */
    byte[] psk(String pneId);

    /** A PNE connected. The gateway registers its {@link FrameReceiver} before this returns. */
    void connected(PanConnection connection);

    /** A connectionless discovery query arrived (e.g. a multicast datagram): the answer to send back, or null. */
    byte[] discovery(byte[] query);

    /** The gateway's unsolicited discovery announcement, for adapters that announce periodically. */
    byte[] announcement();
}
