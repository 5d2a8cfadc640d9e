package io.cpns.api;

import java.util.HashMap;
import java.util.Map;

/**
 * Every error a CPNS entity can put on the wire (message {@code error}, field {@code code}).
 * The numbers are part of the protocol (docs/protocol.md) and never change meaning.
 * {@link #closesConnection()} tells whether the sender drops the connection after sending it:
 * the peer broke the framing or the security of the session, so nothing after it can be trusted.
 */
public enum ErrorCode {
    // 1xx: the bytes or the message sequence
    MALFORMED(100, true),
    FRAME_TOO_LARGE(101, true),
    UNKNOWN_TYPE(102, true),
    UNSUPPORTED_VERSION(103, true),
    UNEXPECTED_MESSAGE(104, true),
    INVALID_ARGUMENT(105, false),
    // 2xx: who is asking
    AUTH_FAILED(200, true),
    UNKNOWN_ENTITY(201, false),
    ALREADY_ASSIGNED(202, false),
    FORBIDDEN(203, false),
    NOT_AUTHENTICATED(204, true),
    USER_EXISTS(205, false),
    UNKNOWN_PN(206, false),
    UNKNOWN_GROUP(207, false),
    // 3xx: the secure session
    BAD_MAC(300, true),
    REPLAY(301, true),
    UNSUPPORTED_SUITE(302, true),
    BAD_SIGNATURE(303, true),
    /** A Time outside the receiver's accepted window (seed 001 Key Assignment). */
    STALE_TIME(304, false),
    /** The peer's proof over its answer does not verify (seed 001 Key Assignment Response, D44). */
    BAD_PROOF(305, false),
    /**
     * The Server no longer holds the SK_PNE session a relayed message was protected with (it was
     * never established there, or removed): the PNE runs PN Establishment again (seed 004 steps
     * 1-15) and retries. Distinct from FORBIDDEN, which no re-establishment cures.
     */
    SESSION_GONE(306, false),
    /**
     * The link protection recorded for the member(s) concerned is below what the Service Group
     * requires (seed 003: the Server checks the security level within the PN before it delivers
     * a Group Key): re-establishing the PN over a better protected link cures it.
     */
    INSUFFICIENT_PROTECTION(307, false),
    // 5xx: the responder
    INTERNAL(500, false),
    UNAVAILABLE(501, false),
    TIMEOUT(502, true),
    /** The responder is at its bound for this kind of work (e.g. concurrent password checks): try again later. */
    BUSY(503, false),
    /** Too many failed attempts from this source or for this user: the attempt is refused without being checked. */
    RATE_LIMITED(504, true);

    private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

    static {
        for (ErrorCode c : values()) {
            BY_CODE.put(c.code, c);
        }
    }

    private final int code;
    private final boolean closesConnection;

    ErrorCode(int code, boolean closesConnection) {
        this.code = code;
        this.closesConnection = closesConnection;
    }

    public int code() {
        return code;
    }

    public boolean closesConnection() {
        return closesConnection;
    }

    /** The code for a wire number; unknown numbers (from a newer peer) map to {@link #INTERNAL}. */
    public static ErrorCode of(int code) {
        return BY_CODE.getOrDefault(code, INTERNAL);
    }
}
