package io.cpns.pan.spi;

import org.osgi.annotation.versioning.ProviderType;

/** The gateway's side of a {@link PanConnection}. */
@ProviderType
public interface FrameReceiver {
    /** One complete CPNS frame. */
    void frame(byte[] frame);

    /**
     * The byte stream broke: a frame over the limit ({@code FRAME_TOO_LARGE}) or cut short
     * ({@code MALFORMED}), so the frames after it cannot be found. The gateway answers with the
     * typed error, logs it and closes the connection. An adapter whose framing resynchronises
     * (a serial line's delimiters) drops the bad frame instead and does not call this.
     */
    void broken(io.cpns.api.CpnsException e);

    /** The link is gone; called exactly once. */
    void closed(String reason);
}
