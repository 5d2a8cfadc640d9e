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
    /** Where the counters are kept across restarts, or null for a session that lives in memory only. */
    private final SessionCounters counters;
    private long sendSeq;
    /** The highest send counter {@link #counters} has recorded as possibly used (a reserved range's end). */
    private long sendLimit;
    private long receiveSeq;
    private volatile boolean closed;

    SecureSession(CryptoSuite suite, EntityId local, EntityId peer, boolean initiator, byte[] sk) {
        this(suite, local, peer, initiator, sk, 0, 0, null);
    }

    private SecureSession(CryptoSuite suite, EntityId local, EntityId peer, boolean initiator, byte[] sk, long sendFrom,
                          long receivedUpTo, SessionCounters counters) {
        if (sendFrom < 0 || receivedUpTo < 0) {
            throw new IllegalArgumentException("negative session counter");
        }
        this.counters = counters;
        this.sendSeq = sendFrom;
        this.sendLimit = sendFrom;
        this.receiveSeq = receivedUpTo;
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

    /**
     * A session whose key and counters outlive the process (SK_PNE, TS §5.3.3.1, kept so relays
     * work after a restart; docs/decisions.md D89). A new session passes 0 and 0.
     *
     * <p>Counters never go backwards: the send counter continues after {@code sendFrom}, the end
     * of the last range reserved through {@code counters} (so a counter used before a crash is
     * never used again with the same key: an AEAD nonce is never repeated); every received
     * counter is recorded before the message is handed out (so a message acted on before the
     * restart is a replay after it).
     *
     * @param sk the session key; copied into the traffic keys, the caller wipes it
     * @param sendFrom the highest send counter possibly used so far
     * @param receivedUpTo the highest receive counter accepted so far
     */
    public static SecureSession resume(CryptoSuite suite, EntityId local, EntityId peer, boolean initiator, byte[] sk,
                                       long sendFrom, long receivedUpTo, SessionCounters counters) {
        return new SecureSession(suite, local, peer, initiator, sk, sendFrom, receivedUpTo,
                java.util.Objects.requireNonNull(counters, "counters"));
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
            long seq = sendSeq + 1;
            if (counters != null && seq > sendLimit) { // reserve before use: a crash skips the rest of the range
                long limit = Math.addExact(sendLimit, SessionCounters.SEND_RESERVATION);
                counters.reserveSend(limit);
                sendLimit = limit;
            }
            sendSeq = seq;
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
            if (counters != null) { // recorded before the message is handed out: acted on once, even across a restart
                counters.received(p.seq());
            }
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
