package io.cpns.pan.serial;

import com.fazecast.jSerialComm.SerialPortTimeoutException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BooleanSupplier;

/**
 * A port stream whose read timeouts never reach the frame reader (which would lose a half-read
 * frame): each timeout runs a periodic task and reading resumes, until {@code running} is false.
 */
final class WakingInputStream extends FilterInputStream {
    private final Runnable onWake;
    private final BooleanSupplier running;

    WakingInputStream(InputStream in, Runnable onWake, BooleanSupplier running) {
        super(in);
        this.onWake = onWake;
        this.running = running;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (running.getAsBoolean()) {
            try {
                return in.read(b, off, len);
            } catch (SerialPortTimeoutException timeout) {
                onWake.run();
            }
        }
        return -1;
    }
}
