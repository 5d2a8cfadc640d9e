package io.cpns.pan.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fazecast.jSerialComm.SerialPortTimeoutException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link WakingInputStream}: read timeouts become wake-ups, never reach the frame reader, until the line stops. */
class WakingInputStreamTest {
    /** A port stream scripted step by step: bytes, or a read timeout (null). */
    private static final class ScriptedPort extends InputStream {
        private final Deque<byte[]> steps = new ArrayDeque<>();
        int reads;

        ScriptedPort timeout() {
            steps.add(new byte[0]);
            return this;
        }

        ScriptedPort data(int... bytes) {
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                b[i] = (byte) bytes[i];
            }
            steps.add(b);
            return this;
        }

        @Override
        public int read() throws IOException {
            throw new AssertionError("single-byte reads go through read(byte[], int, int)");
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads++;
            byte[] step = steps.poll();
            if (step == null) {
                return -1;
            }
            if (step.length == 0) {
                throw new SerialPortTimeoutException("The read operation timed out before any data was returned.");
            }
            int n = Math.min(len, step.length);
            System.arraycopy(step, 0, b, off, n);
            return n;
        }
    }

    @Test
    void readTimeouts_runTheWakeTask_andReadingResumes() throws Exception {
        AtomicInteger wakes = new AtomicInteger();
        ScriptedPort port = new ScriptedPort().timeout().timeout().data(1, 2, 3);
        WakingInputStream in = new WakingInputStream(port, wakes::incrementAndGet, () -> true);
        byte[] b = new byte[8];
        assertEquals(3, in.read(b, 0, 8));
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(b, 3));
        assertEquals(2, wakes.get());
    }

    @Test
    void stoppedLine_isEndOfStream_withoutReadingThePort() throws Exception {
        ScriptedPort port = new ScriptedPort().data(1);
        WakingInputStream in = new WakingInputStream(port, () -> { }, () -> false);
        assertEquals(-1, in.read(new byte[4], 0, 4));
        assertEquals(0, port.reads);
    }

    @Test
    void lineStoppedDuringATimeout_isEndOfStream() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ScriptedPort port = new ScriptedPort().timeout().data(9);
        WakingInputStream in = new WakingInputStream(port, () -> running.set(false), running::get);
        assertEquals(-1, in.read());
        assertEquals(1, port.reads, "the byte after the timeout is not read");
    }

    @Test
    void singleByteRead_isUnsigned_andMinusOneAtTheEnd() throws Exception {
        WakingInputStream in = new WakingInputStream(new ScriptedPort().timeout().data(0xFF), () -> { }, () -> true);
        assertEquals(0xFF, in.read());
        assertEquals(-1, in.read());
    }

    @Test
    void otherIoErrors_reachTheReader() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("port gone");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw new IOException("port gone");
            }
        };
        AtomicInteger wakes = new AtomicInteger();
        assertThrows(IOException.class, () -> new WakingInputStream(broken, wakes::incrementAndGet, () -> true).read());
        assertEquals(0, wakes.get());
    }
}
