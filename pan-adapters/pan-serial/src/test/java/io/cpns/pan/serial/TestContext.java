package io.cpns.pan.serial;

import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The gateway's side of the PAN SPI, recording what the serial adapter hands it. */
final class TestContext implements PanContext {
    static final long WAIT_MILLIS = 2000;
    /** Stands for the gateway's encoded discovery announcement: the line sends it as it is. */
    static final byte[] ANNOUNCEMENT = "announce gw-home".getBytes(StandardCharsets.US_ASCII);

    final BlockingQueue<Link> links = new LinkedBlockingQueue<>();
    /** A gateway bug to play: thrown on each frame of a link, or when a link is reported. */
    volatile RuntimeException failFrames;
    volatile RuntimeException failConnected;

    @Override
    public String gatewayId() {
        return "gw-home";
    }

    @Override
    public byte[] psk(String pneId) {
        return null;
    }

    @Override
    public void connected(PanConnection connection) {
        Link l = new Link(connection, this);
        connection.receiver(l);
        links.add(l);
        if (failConnected != null) {
            throw failConnected;
        }
    }

    @Override
    public byte[] discovery(byte[] query) {
        return null;
    }

    @Override
    public byte[] announcement() {
        return ANNOUNCEMENT.clone();
    }

    Link nextLink() throws InterruptedException {
        Link l = links.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (l == null) {
            throw new AssertionError("no PNE link reported within " + WAIT_MILLIS + " ms");
        }
        return l;
    }

    static final class Link implements FrameReceiver {
        final PanConnection connection;
        private final TestContext context;
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final AtomicInteger closes = new AtomicInteger();
        final BlockingQueue<io.cpns.api.CpnsException> broken = new LinkedBlockingQueue<>();
        private final CountDownLatch closed = new CountDownLatch(1);
        volatile String reason;

        Link(PanConnection connection, TestContext context) {
            this.connection = connection;
            this.context = context;
        }

        @Override
        public void frame(byte[] frame) {
            frames.add(frame);
            if (context.failFrames != null) {
                throw context.failFrames;
            }
        }

        @Override
        public void broken(io.cpns.api.CpnsException e) {
            broken.add(e);
        }

        @Override
        public void closed(String reason) {
            this.reason = reason;
            closes.incrementAndGet();
            closed.countDown();
        }

        byte[] nextFrame() throws InterruptedException {
            byte[] f = frames.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + WAIT_MILLIS + " ms");
            }
            return f;
        }

        String awaitClosed() throws InterruptedException {
            if (!closed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("link not ended within " + WAIT_MILLIS + " ms");
            }
            return reason;
        }
    }
}
