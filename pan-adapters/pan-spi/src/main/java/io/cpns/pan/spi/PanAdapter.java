package io.cpns.pan.spi;

import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One PAN technology. Implement it in one bundle and register it as an OSGi service; the gateway
 * calls {@link #start} when it sees the service and {@link #stop} when it goes away.
 */
@ConsumerType
public interface PanAdapter {
    /** Short, stable id ({@code ip}, {@code serial}, {@code ble}...): logs, discovery answers, commands. */
    String id();

    /**
     * What the PAN itself guarantees for every CPNS message it carries (pairing, link encryption).
     * When it gives all three, PNEs on it need no LocalEUKey and no PNE-GW secure session
     * (TS §5.3.3.1; seed 004 step 1 condition ii).
     */
    PanSecurity security();

    /** Largest CPNS frame (encoded envelope) the PAN carries. */
    int maxFrameBytes();

    /** Begins accepting PNEs and answering discovery. Must not block. */
    void start(PanContext context) throws IOException;

    /** Stops: closes every connection and releases every resource. */
    void stop();

    /** Where PNEs reach the PN GW on this PAN, for discovery answers ({@code 192.168.1.2:7800}, {@code /dev/ttyS1}). */
    List<String> addresses();
}
