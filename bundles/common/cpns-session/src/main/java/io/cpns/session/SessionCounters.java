package io.cpns.session;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Durable counters of a {@link SecureSession#resume resumed} session (SK_PNE kept across restarts,
 * TS §5.3.3.1). Both methods are called by the thread protecting or verifying a message, with the
 * session's lock held; they block until the value is durable (a database row, an atomically
 * replaced file) and throw if it could not be made durable, which fails that one message.
 */
@ConsumerType
public interface SessionCounters {
    /**
     * How many send counters one reservation covers: one durable write per this many messages
     * sent; a crash skips at most this many counters, far from the 2^64 a session may use.
     */
    long SEND_RESERVATION = 1024;

    /** Records that send counters up to {@code limit} may be used; never called with a lower value than before. */
    void reserveSend(long limit);

    /** Records that a message with counter {@code seq} was accepted, before it is handed out. */
    void received(long seq);
}
