package io.cpns.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntSupplier;

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

    /**
     * Call before closing the port after a last frame: jSerialComm's close flushes both queues
     * (TCIOFLUSH), which on a pseudo-terminal or a USB adapter also discards bytes the driver
     * accepted but the far end has not taken yet, and a line reset lost that way leaves the
     * other end holding a dead link. Waits (at most 500 ms) for the driver queue to empty, then
     * {@value #LINGER_MILLIS} ms for the far end.
     *
     * @param bytesAwaitingWrite the port's count of bytes not yet sent (negative if unknown)
     */
    public static void linger(IntSupplier bytesAwaitingWrite) {
        long deadline = System.nanoTime() + 500_000_000L;
        try {
            while (bytesAwaitingWrite.getAsInt() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(LINGER_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The far end's share of {@link #linger}: measured on Linux ptys, 2 ms lost a reset now and then, 20 ms never. */
    public static final int LINGER_MILLIS = 20;
}
