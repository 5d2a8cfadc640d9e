package io.cpns.codec;

import java.io.IOException;
import java.io.OutputStream;

/** Writes length-prefixed frames ({@link Framing}); thread-safe, one frame per call, flushed. */
public final class FrameWriter implements FrameSink {
    private final OutputStream out;
    private final int maxFrame;

    public FrameWriter(OutputStream out, int maxFrame) {
        this.out = out;
        this.maxFrame = Framing.clamp(maxFrame);
    }

    @Override
    public synchronized void write(byte[] frame) throws IOException {
        if (frame.length == 0 || frame.length > maxFrame) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes outside 1.." + maxFrame);
        }
        byte[] buf = new byte[Framing.HEADER_LENGTH + frame.length];
        buf[0] = (byte) (frame.length >>> 24);
        buf[1] = (byte) (frame.length >>> 16);
        buf[2] = (byte) (frame.length >>> 8);
        buf[3] = (byte) frame.length;
        System.arraycopy(frame, 0, buf, Framing.HEADER_LENGTH, frame.length);
        out.write(buf); // one write: one TLS record for small messages
        out.flush();
    }
}
