package io.cpns.gw.pan;

import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanSecurity;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A PAN connection in memory, as the SPI describes one: frames the gateway sends are queued for
 * the test's PNE, {@link #close} reports {@link FrameReceiver#closed} exactly once, and a closed
 * connection refuses to send. The PAN boundary of gw-pan: what a real adapter gives a Link.
 */
final class TestConnection implements PanConnection {
    private final String adapterId;
    private final String remote;
    private final String identity;
    private final PanSecurity security;
    final BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    final AtomicInteger closeCalls = new AtomicInteger();
    volatile String closedReason;
    private volatile FrameReceiver receiver;
    /** Runs on the gateway's sending thread, before the PNE can see the frame. */
    volatile Consumer<byte[]> onSend = f -> { };

    TestConnection(String adapterId, String remote, String identity, PanSecurity security) {
        this.adapterId = adapterId;
        this.remote = remote;
        this.identity = identity;
        this.security = security;
    }

    @Override
    public String adapterId() {
        return adapterId;
    }

    @Override
    public String remote() {
        return remote;
    }

    @Override
    public String authenticatedIdentity() {
        return identity;
    }

    @Override
    public PanSecurity security() {
        return security;
    }

    @Override
    public int maxFrameBytes() {
        return 65536;
    }

    @Override
    public void receiver(FrameReceiver r) {
        receiver = r;
    }

    FrameReceiver receiver() {
        return receiver;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        if (closed.get()) {
            throw new IOException("connection " + remote + " closed");
        }
        onSend.accept(frame);
        sent.add(frame);
    }

    @Override
    public void close() {
        closeCalls.incrementAndGet();
        if (closed.compareAndSet(false, true)) {
            closedReason = "closed by the gateway";
            FrameReceiver r = receiver;
            if (r != null) {
                r.closed(closedReason);
            }
            closedLatch.countDown(); // after the gateway heard it: tests then see its routing table updated
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    boolean awaitClosed(long millis) throws InterruptedException {
        return closedLatch.await(millis, TimeUnit.MILLISECONDS);
    }
}
