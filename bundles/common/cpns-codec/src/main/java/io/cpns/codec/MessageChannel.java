package io.cpns.codec;

import io.cpns.api.message.Envelope;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Envelopes over frames: codec on top of a {@link FrameSource}/{@link FrameSink}. {@link #receive}
 * from one thread; {@link #send} from any. Errors from {@link #receive} are typed
 * ({@link io.cpns.api.CpnsException}) or I/O.
 */
public final class MessageChannel implements Closeable {
    private final MessageCodec codec;
    private final FrameSource reader;
    private final FrameSink writer;
    private final Closeable transport;

    /** Over a byte stream with length-prefixed frames ({@link Framing}). */
    public MessageChannel(MessageCodec codec, InputStream in, OutputStream out, int maxFrame, Closeable transport) {
        this(codec, new FrameReader(in, maxFrame), new FrameWriter(out, maxFrame), transport);
    }

    /** Over any framing (e.g. {@link SerialFraming} on a serial line). */
    public MessageChannel(MessageCodec codec, FrameSource reader, FrameSink writer, Closeable transport) {
        this.codec = codec;
        this.reader = reader;
        this.writer = writer;
        this.transport = transport;
    }

    /** @return the next envelope, or {@code null} when the peer closed cleanly */
    public Envelope receive() throws IOException {
        byte[] frame = reader.read();
        return frame == null ? null : codec.decode(frame);
    }

    public void send(Envelope e) throws IOException {
        writer.write(codec.encode(e));
    }

    /** Sends raw bytes as one frame (tests use this to put malformed input on the wire). */
    public void sendRaw(byte[] frame) throws IOException {
        writer.write(frame);
    }

    public MessageCodec codec() {
        return codec;
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}
