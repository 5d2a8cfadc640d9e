package io.cpns.api.message;

import java.util.Objects;

/**
 * A Group Key Manager PN GW to the Server (seed 003 §5.3.2, distributed topology: "CSKMF itself
 * can trigger Group Key update, after which it alerts SMF"; "a Group Key Manager registers a Group
 * Key on the central server node"): the manager renewed the key of a group it manages on its own
 * schedule or its operator's command, and registers the key of {@code epoch} (the Server's current
 * epoch plus one). The Server stores it and delivers it like any other epoch; answered
 * {@link Ack}.
 */
public record GroupKeyRegister(String groupId, long epoch, byte[] groupKey) implements Message {
    public GroupKeyRegister {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(groupKey, "groupKey");
    }
}
