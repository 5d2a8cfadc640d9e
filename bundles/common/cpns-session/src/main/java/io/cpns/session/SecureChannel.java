package io.cpns.session;

import io.cpns.api.CpnsException;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.codec.MessageChannel;
import java.io.Closeable;
import java.io.IOException;

/**
 * A {@link MessageChannel} whose messages are protected by a {@link SecureSession}. Protecting and
 * writing happen under one lock, so counters reach the wire in order even with many senders.
 */
public final class SecureChannel implements Closeable {
    private final MessageChannel channel;
    private final SecureSession session;

    public SecureChannel(MessageChannel channel, SecureSession session) {
        this.channel = channel;
        this.session = session;
    }

    public SecureSession session() {
        return session;
    }

    /** Protects and sends {@code inner} (local to peer). */
    public void send(Envelope inner) throws IOException {
        synchronized (this) {
            channel.send(session.protect(inner, channel.codec()));
        }
    }

    /**
     * The next message from the peer, verified and decrypted; {@code null} when the peer closed.
     *
     * @throws CpnsException an unprotected {@code error} from the peer (it dropped the session) as
     *         that error, or this side's verification failure ({@code REPLAY}, {@code BAD_MAC}, ...)
     */
    public Envelope receive() throws IOException {
        Envelope e = channel.receive();
        if (e == null) {
            return null;
        }
        if (e.body() instanceof ErrorMessage err) {
            throw err.toException();
        }
        return session.unprotect(e, channel.codec());
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            session.close();
        }
    }
}
