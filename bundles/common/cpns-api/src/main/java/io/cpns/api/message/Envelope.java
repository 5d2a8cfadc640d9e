package io.cpns.api.message;

import io.cpns.api.EntityId;
import java.util.Objects;

/**
 * A CPNS message on the wire: source and destination Entity IDs, a correlation id and a body.
 * The source and destination decide which secure session protects the message (TS §5.3.3.1).
 *
 * @param src  the Entity ID of the sender
 * @param dst  the Entity ID of the receiver
 * @param id   correlation id chosen by the requester; a response carries the id of its request
 * @param body the message
 */
public record Envelope(EntityId src, EntityId dst, long id, Message body) {
    public Envelope {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(body, "body");
    }

    /** A response to this envelope: swapped addresses, same id. */
    public Envelope reply(Message response) {
        return new Envelope(dst, src, id, response);
    }

    public MessageType type() {
        return body.type();
    }
}
