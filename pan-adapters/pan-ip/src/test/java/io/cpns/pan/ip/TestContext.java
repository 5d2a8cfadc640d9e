package io.cpns.pan.ip;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.PanAccess;
import io.cpns.codec.MessageCodec;
import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The gateway's side of the PAN SPI, recording what the adapter hands it. */
final class TestContext implements PanContext {
    static final EntityId GW = EntityId.of("gw-home");
    static final long WAIT_MILLIS = 2000;

    final MessageCodec codec = new MessageCodec();
    final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    final BlockingQueue<Link> links = new LinkedBlockingQueue<>();
    final AtomicInteger discoveryQueries = new AtomicInteger();
    final AtomicInteger pskLookups = new AtomicInteger();
    /** A gateway bug to play: thrown when a connection is reported, on each frame, or when a stream breaks. */
    volatile RuntimeException failConnected;
    volatile RuntimeException failFrames;
    volatile RuntimeException failBroken;

    @Override
    public String gatewayId() {
        return GW.value();
    }

    @Override
    public byte[] psk(String pneId) {
        pskLookups.incrementAndGet();
        byte[] k = keys.get(pneId);
        return k == null ? null : k.clone();
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
        discoveryQueries.incrementAndGet();
        try {
            Envelope e = codec.decode(query);
            if (!(e.body() instanceof DiscoveryQuery)) {
                return null;
            }
            return codec.encode(new Envelope(GW, e.src(), e.id(), announce()));
        } catch (CpnsException garbage) {
            return null;
        }
    }

    @Override
    public byte[] announcement() {
        return codec.encode(new Envelope(GW, EntityId.BROADCAST, 0, announce()));
    }

    private static DiscoveryAnnounce announce() {
        return new DiscoveryAnnounce(GW.value(), List.of(new PanAccess("ip", "127.0.0.1:7800", false)));
    }

    /** The next connection the adapter reports. */
    Link nextLink() throws InterruptedException {
        Link l = links.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (l == null) {
            throw new AssertionError("no PNE connection reported within " + WAIT_MILLIS + " ms");
        }
        return l;
    }

    /** What the gateway would register on a connection: frames and the close, recorded. */
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
            if (context.failBroken != null) {
                throw context.failBroken;
            }
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

        /** Waits for {@link #closed} and returns its reason. */
        String awaitClosed() throws InterruptedException {
            if (!closed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("connection not closed within " + WAIT_MILLIS + " ms");
            }
            return reason;
        }
    }
}
