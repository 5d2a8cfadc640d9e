package io.cpns.codec;

import io.cpns.api.message.Envelope;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Envelopes over a byte stream: framing + codec. {@link #receive} from one thread; {@link #send}
 * from any. Errors from {@link #receive} are typed ({@link io.cpns.api.CpnsException}) or I/O.
 */
public final class MessageChannel implements Closeable {
    private final MessageCodec codec;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final Closeable transport;

    public MessageChannel(MessageCodec codec, InputStream in, OutputStream out, int maxFrame, Closeable transport) {
        this.codec = codec;
        this.reader = new FrameReader(in, maxFrame);
        this.writer = new FrameWriter(out, maxFrame);
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
