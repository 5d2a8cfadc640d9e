package io.cpns.pan.spi;

/** The gateway's side of a {@link PanConnection}. */
public interface FrameReceiver {
    /** One complete CPNS frame. */
    void frame(byte[] frame);

    /** The link is gone; called exactly once. */
    void closed(String reason);
}
