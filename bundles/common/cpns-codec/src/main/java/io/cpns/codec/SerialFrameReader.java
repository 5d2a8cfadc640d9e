package io.cpns.codec;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads {@link SerialFraming} frames from a byte stream. Corrupted frames (bad COBS or CRC) and
 * over-long ones are dropped and counted, and reading resumes at the next delimiter: on a noisy
 * line a damaged frame is lost, not the link. A line reset comes back as an empty array
 * ({@link SerialFraming#isReset}).
 */
public final class SerialFrameReader implements FrameSource {
    private final InputStream in;
    private final int maxEncoded;
    private final byte[] buf;
    private long dropped;

    /** @param maxPayload largest payload accepted */
    public SerialFrameReader(InputStream in, int maxPayload) {
        this.in = in;
        this.maxEncoded = maxPayload + SerialFraming.CRC_LENGTH + maxPayload / 254 + 2;
        this.buf = new byte[maxEncoded];
    }

    /** Frames dropped so far (corrupt or too long). */
    public long dropped() {
        return dropped;
    }

    @Override
    public byte[] read() throws IOException {
        while (true) {
            int n = 0;
            boolean overflow = false;
            int b;
            while ((b = in.read()) > 0) {
                if (n < maxEncoded) {
                    buf[n++] = (byte) b;
                } else {
                    overflow = true;
                }
            }
            if (b < 0 && n == 0) {
                return null; // end of input between frames
            }
            if (b < 0) {
                dropped++;
                return null; // end of input inside a frame: the partial frame is lost
            }
            if (n == 0) {
                continue; // back-to-back delimiters: idle line
            }
            if (overflow) {
                dropped++;
                continue;
            }
            try {
                return SerialFraming.decode(buf, n);
            } catch (io.cpns.api.CpnsException corrupt) {
                dropped++;
            }
        }
    }
}
