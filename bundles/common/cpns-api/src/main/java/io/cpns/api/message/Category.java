package io.cpns.api.message;

/** How a message type is exchanged; decides how a receiver dispatches it. */
public enum Category {
    /** Asks for exactly one response with the same envelope id. */
    REQUEST,
    /** Answers a request (same envelope id); matched against the receiver's own pending requests. */
    RESPONSE,
    /** Sent without expecting an answer (tunnel data, unsolicited announcements). */
    ONEWAY,
    /** The session layer itself: errors, the handshake, protected envelopes. */
    CONTROL
}
