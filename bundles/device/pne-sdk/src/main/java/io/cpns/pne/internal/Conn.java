package io.cpns.pne.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Protected;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionConfirm;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.codec.MessageChannel;
import io.cpns.crypto.CryptoSuite;
import io.cpns.session.InitiatorHandshake;
import io.cpns.session.SecureSession;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One link of a PNE to its PN GW, with its reader thread. Runs the initiator side of the PNE-GW
 * message-level session (TS §5.3.3.1.1) when the transport has no TLS; protects and verifies
 * messages once the session is up.
 */
public final class Conn {
    private final MessageChannel channel;
    private final boolean tls;
    private final EntityId self;
    private final EntityId gateway;
    private final Object sendLock = new Object();
    private volatile SecureSession session;
    private volatile boolean closed;
    private InitiatorHandshake handshake;
    private Thread reader;
    private CompletableFuture<Void> handshakeDone;

    public Conn(MessageChannel channel, boolean tls, EntityId self, EntityId gateway) {
        this.channel = channel;
        this.tls = tls;
        this.self = self;
        this.gateway = gateway;
    }

    public boolean tls() {
        return tls;
    }

    public boolean hasSession() {
        return session != null;
    }

    /** Starts the reader; {@code onMessage} gets verified envelopes, {@code onEnd} the reason once. */
    public void start(String name, Consumer<Envelope> onMessage, BiConsumer<Conn, String> onEnd) {
        Thread t = new Thread(() -> {
            String reason = "closed by the PN GW";
            try {
                Envelope e;
                while ((e = channel.receive()) != null) {
                    if (e.body() instanceof Protected) {
                        SecureSession s = session;
                        if (s == null) {
                            throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "protected message without a session");
                        }
                        e = s.unprotect(e, channel.codec());
                    }
                    if (!control(e)) {
                        onMessage.accept(e);
                    }
                }
            } catch (IOException | CpnsException e) {
                reason = closed ? "closed" : e.toString();
            } finally {
                close();
                failHandshake(reason);
                onEnd.accept(this, reason);
            }
        }, name);
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    /**
     * Closes, and waits until the reader has left the channel: on a serial port the next link
     * opens the same device, and a reader still inside the old one could take its bytes.
     */
    public void closeAndJoin(long millis) throws InterruptedException {
        close();
        Thread t = reader;
        if (t != null && t != Thread.currentThread()) {
            t.join(millis);
        }
    }

    /** The handshake messages are this class's business; everything else goes to the client. */
    private boolean control(Envelope e) {
        if (e.body() instanceof SessionChallenge c) {
            synchronized (this) {
                if (handshake != null) {
                    sendClear(new Envelope(self, gateway, 2, new SessionProof(handshake.prove(c.rand()))));
                }
            }
            return true;
        }
        if (e.body() instanceof SessionConfirm c) {
            synchronized (this) {
                if (handshake != null) {
                    try {
                        session = handshake.confirm(c.proof());
                        handshakeDone.complete(null);
                    } catch (CpnsException x) {
                        handshakeDone.completeExceptionally(x);
                    }
                    handshake = null;
                }
            }
            return true;
        }
        if (e.body() instanceof ErrorMessage err && handshakeDone != null && !handshakeDone.isDone() && e.id() == 0) {
            failHandshake(err.toException().getMessage());
            return false;
        }
        return false;
    }

    /** The PNE-GW mutual authentication with the LocalEUKey or pre-assigned key; completes when both proved it. */
    public synchronized CompletableFuture<Void> startSession(CryptoSuite suite, byte[] psk) {
        handshake = new InitiatorHandshake(suite, self, gateway, psk);
        handshakeDone = new CompletableFuture<>();
        sendClear(new Envelope(self, gateway, 1, new SessionHello(suite.name(), handshake.rand())));
        return handshakeDone;
    }

    private synchronized void failHandshake(String why) {
        if (handshakeDone != null && !handshakeDone.isDone()) {
            handshakeDone.completeExceptionally(new CpnsException(ErrorCode.AUTH_FAILED, "PNE-GW session failed: " + why));
            if (handshake != null) {
                handshake.destroy();
                handshake = null;
            }
        }
    }

    public void send(Envelope e) throws IOException {
        synchronized (sendLock) {
            SecureSession s = session;
            channel.send(s == null ? e : s.protect(e, channel.codec()));
        }
    }

    private void sendClear(Envelope e) {
        try {
            synchronized (sendLock) {
                channel.send(e);
            }
        } catch (IOException x) {
            close();
        }
    }

    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        SecureSession s = session;
        if (s != null) {
            s.close();
        }
    }
}
