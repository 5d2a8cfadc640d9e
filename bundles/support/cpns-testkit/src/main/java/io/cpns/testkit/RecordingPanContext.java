package io.cpns.testkit;

import io.cpns.api.CpnsException;
import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanContext;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The gateway's side of the PAN SPI for an adapter's unit tests: records the connections and
 * frames the adapter hands it, answers PSK look-ups from {@link #keys}, and can play a gateway bug
 * (an exception from a callback) so a test sees the adapter survive it.
 */
public final class RecordingPanContext implements PanContext {
    /** How long the {@code next…}/{@code await…} helpers wait before failing the test. */
    public static final long WAIT_MILLIS = 2000;

    /** PSK per PNE id, as the gateway's key store would answer; absent means "unknown PNE". */
    public final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    /** The connections reported, oldest first. */
    public final BlockingQueue<Link> links = new LinkedBlockingQueue<>();
    public final AtomicInteger discoveryQueries = new AtomicInteger();
    public final AtomicInteger pskLookups = new AtomicInteger();
    /** A gateway bug to play: thrown when a connection is reported, on each frame, or when a stream breaks. */
    public volatile RuntimeException failConnected;
    public volatile RuntimeException failFrames;
    public volatile RuntimeException failBroken;

    private final String gatewayId;
    private final byte[] announcement;
    private final UnaryOperator<byte[]> discovery;

    /** A gateway that never answers discovery queries. */
    public RecordingPanContext(String gatewayId, byte[] announcement) {
        this(gatewayId, announcement, query -> null);
    }

    /** {@code discovery} answers a query frame with a reply frame, or null for none. */
    public RecordingPanContext(String gatewayId, byte[] announcement, UnaryOperator<byte[]> discovery) {
        this.gatewayId = gatewayId;
        this.announcement = announcement.clone();
        this.discovery = discovery;
    }

    @Override
    public String gatewayId() {
        return gatewayId;
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
        return discovery.apply(query);
    }

    @Override
    public byte[] announcement() {
        return announcement.clone();
    }

    /** The next connection the adapter reports. */
    public Link nextLink() throws InterruptedException {
        Link l = links.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (l == null) {
            throw new AssertionError("no PNE connection reported within " + WAIT_MILLIS + " ms");
        }
        return l;
    }

    /** What the gateway would register on a connection: frames, breaks and the close, recorded. */
    public static final class Link implements FrameReceiver {
        public final PanConnection connection;
        public final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        public final AtomicInteger closes = new AtomicInteger();
        public final BlockingQueue<CpnsException> broken = new LinkedBlockingQueue<>();
        private final RecordingPanContext context;
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile String reason;

        Link(PanConnection connection, RecordingPanContext context) {
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
        public void broken(CpnsException e) {
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

        /** The reason {@link #closed} gave, or null while open. */
        public String reason() {
            return reason;
        }

        public byte[] nextFrame() throws InterruptedException {
            byte[] f = frames.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + WAIT_MILLIS + " ms");
            }
            return f;
        }

        /** Waits for {@link #closed} and returns its reason. */
        public String awaitClosed() throws InterruptedException {
            if (!closed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("connection not closed within " + WAIT_MILLIS + " ms");
            }
            return reason;
        }
    }
}
