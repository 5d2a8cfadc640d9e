package io.cpns.codec;

import java.io.IOException;
import java.io.OutputStream;

/** Writes {@link SerialFraming} frames; thread-safe. */
public final class SerialFrameWriter implements FrameSink {
    private final OutputStream out;
    private final int maxPayload;

    public SerialFrameWriter(OutputStream out, int maxPayload) {
        this.out = out;
        this.maxPayload = maxPayload;
    }

    @Override
    public synchronized void write(byte[] frame) throws IOException {
        if (frame.length == 0 || frame.length > maxPayload) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes outside 1.." + maxPayload);
        }
        out.write(SerialFraming.encode(frame));
        out.flush();
    }

    /** Sends the line reset ({@link SerialFraming#reset()}): this end (re)starts or ends its link. */
    public synchronized void writeReset() throws IOException {
        out.write(SerialFraming.reset());
        out.flush();
    }
}
