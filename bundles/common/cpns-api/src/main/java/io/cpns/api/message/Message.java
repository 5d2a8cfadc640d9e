package io.cpns.api.message;

import org.osgi.annotation.versioning.ProviderType;

/** The body of a CPNS message. Each implementation is one row of {@link MessageType}. */
@ProviderType
public interface Message {
    /** The wire type of this message. */
    default MessageType type() {
        return MessageType.of(getClass());
    }
}
