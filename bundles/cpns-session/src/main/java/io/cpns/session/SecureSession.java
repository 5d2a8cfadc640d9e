package io.cpns.session;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Protected;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Direction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An established secure session between two entities (TS §5.3.3.1.1 "Message protection"): each
 * protected message is the inner envelope, encrypted and authenticated with the session's
 * traffic key for its direction (AEAD: the MAC and the encryption of the spec in one standard
 * construction). The outer envelope's source, destination, id and counter are authenticated too.
 *
 * <p>The receive counter only ever increases, so a replayed or reordered message is refused. The
 * transports this runs on (TCP, framed serial with retransmission) deliver in order.
 */
public final class SecureSession implements AutoCloseable {
    private static final byte[] AAD_LABEL = "CPNS-v1 protected".getBytes(StandardCharsets.US_ASCII);

    private final CryptoSuite suite;
    private final EntityId local;
    private final EntityId peer;
    private final AeadCipher sendCipher;
    private final AeadCipher receiveCipher;
    private final Direction sendDirection;
    private final Direction receiveDirection;
    private final AtomicLong received = new AtomicLong();
    private long sendSeq;
    private long receiveSeq;
    private volatile boolean closed;

    SecureSession(CryptoSuite suite, EntityId local, EntityId peer, boolean initiator, byte[] sk) {
        this.suite = suite;
        this.local = local;
        this.peer = peer;
        this.sendDirection = initiator ? Direction.INITIATOR_TO_RESPONDER : Direction.RESPONDER_TO_INITIATOR;
        this.receiveDirection = initiator ? Direction.RESPONDER_TO_INITIATOR : Direction.INITIATOR_TO_RESPONDER;
        byte[] sendKey = suite.trafficKey(sk, sendDirection);
        byte[] receiveKey = suite.trafficKey(sk, receiveDirection);
        this.sendCipher = suite.aead(sendKey);
        this.receiveCipher = suite.aead(receiveKey);
        Bytes.wipe(sendKey, receiveKey);
    }

    public EntityId local() {
        return local;
    }

    public EntityId peer() {
        return peer;
    }

    public String suiteName() {
        return suite.name();
    }

    /** Messages sent in this session so far. */
    public synchronized long sent() {
        return sendSeq;
    }

    /** Messages received and verified in this session so far. */
    public long received() {
        return received.get();
    }

    /** Encrypts and authenticates {@code inner} (which must go from local to peer). */
    public Envelope protect(Envelope inner, MessageCodec codec) {
        if (!inner.src().equals(local) || !inner.dst().equals(peer)) {
            throw new IllegalArgumentException("envelope " + inner.src() + "->" + inner.dst()
                    + " does not belong to session " + local + "->" + peer);
        }
        byte[] plaintext = codec.encode(inner);
        synchronized (this) {
            ensureOpen();
            long seq = ++sendSeq;
            byte[] ct = sendCipher.seal(AeadCipher.nonce(sendDirection, seq), aad(local, peer, inner.id(), seq), plaintext);
            return new Envelope(local, peer, inner.id(), new Protected(seq, ct));
        }
    }

    /**
     * Verifies and decrypts a protected envelope from the peer.
     *
     * @throws CpnsException {@code FORBIDDEN} if it is not addressed peer-to-local, {@code REPLAY}
     *         for a counter not above the last accepted one, {@code BAD_MAC} if it does not
     *         authenticate, {@code MALFORMED} if the inner envelope does not match the outer one
     */
    public Envelope unprotect(Envelope outer, MessageCodec codec) {
        if (!(outer.body() instanceof Protected p)) {
            throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "expected a protected message, got " + outer.type().wireName());
        }
        if (!outer.src().equals(peer) || !outer.dst().equals(local)) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "message " + outer.src() + "->" + outer.dst()
                    + " does not belong to session " + peer + "->" + local);
        }
        byte[] plaintext;
        synchronized (this) {
            ensureOpen();
            if (p.seq() <= receiveSeq) {
                throw new CpnsException(ErrorCode.REPLAY, "message counter " + p.seq() + " not above " + receiveSeq);
            }
            plaintext = receiveCipher.open(AeadCipher.nonce(receiveDirection, p.seq()),
                    aad(peer, local, outer.id(), p.seq()), p.ct());
            receiveSeq = p.seq();
        }
        received.incrementAndGet();
        Envelope inner = codec.decode(plaintext);
        if (!inner.src().equals(outer.src()) || !inner.dst().equals(outer.dst()) || inner.id() != outer.id()
                || inner.body() instanceof Protected) {
            throw new CpnsException(ErrorCode.MALFORMED, "inner envelope does not match the protected one");
        }
        return inner;
    }

    /** AAD = "CPNS-v1 protected" | lp(src) | lp(dst) | id (8 bytes) | seq (8 bytes). */
    static byte[] aad(EntityId src, EntityId dst, long id, long seq) {
        return Bytes.concat(AAD_LABEL, Bytes.lengthPrefixed(src.value().getBytes(StandardCharsets.UTF_8),
                dst.value().getBytes(StandardCharsets.UTF_8)), Bytes.longBE(id), Bytes.longBE(seq));
    }

    /** Wipes the traffic keys; the session can no longer protect or verify anything. */
    @Override
    public synchronized void close() {
        closed = true;
        sendCipher.close();
        receiveCipher.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "session with " + peer + " is closed");
        }
    }
}
