package io.cpns.api.message;

/** The body of a CPNS message. Each implementation is one row of {@link MessageType}. */
public interface Message {
    /** The wire type of this message. */
    default MessageType type() {
        return MessageType.of(getClass());
    }
}
