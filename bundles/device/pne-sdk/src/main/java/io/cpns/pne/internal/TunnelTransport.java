package io.cpns.pne.internal;

import io.cpns.session.tls.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A byte stream over {@code tunnel.data} messages: what the PNE runs server-authenticated TLS on,
 * through its PN GW, to reach the CPNS Server's bootstrap endpoint (EUKey assignment with UI).
 */
public final class TunnelTransport implements Transport {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
    private final Consumer<byte[]> sender;
    private final Runnable closer;
    private volatile int timeoutMillis;
    private volatile boolean closed;

    public TunnelTransport(Consumer<byte[]> sender, Runnable closer) {
        this.sender = sender;
        this.closer = closer;
    }

    /** Bytes from the Server, delivered by the PNE's reader thread. */
    public void received(byte[] data) {
        incoming.add(data);
    }

    /** The PN GW or the Server closed the tunnel. */
    public void ended() {
        incoming.add(END);
    }

    private final InputStream in = new InputStream() {
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos >= current.length) {
                if (current == END) {
                    return -1;
                }
                try {
                    byte[] next = timeoutMillis > 0 ? incoming.poll(timeoutMillis, TimeUnit.MILLISECONDS) : incoming.take();
                    if (next == null) {
                        throw new SocketTimeoutException("tunnel read timed out");
                    }
                    current = next;
                    pos = 0;
                    if (next == END) {
                        return -1;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    };

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("tunnel closed");
            }
            sender.accept(Arrays.copyOfRange(b, off, off + len)); // TLS writes whole records: one message each
        }
    };

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public void readTimeout(int millis) {
        timeoutMillis = millis;
    }

    @Override
    public String remote() {
        return "tunnel";
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closer.run();
            ended();
        }
    }
}
