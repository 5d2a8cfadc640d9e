package io.cpns.api.message;

import java.util.Objects;

/**
 * Server (SMF) to the PN GW that is the Group Key Manager of a Service Group (seed 003 §5.3.2,
 * distributed topology): create the Group Key of {@code epoch}. The manager answers with
 * {@link GroupKey} carrying it, which registers the key on the central Server; the Server then
 * delivers it to the other PN GWs (indirect delivery) and the manager to its own PNEs (direct).
 */
public record GroupKeyCreate(String groupId, long epoch) implements Message {
    public GroupKeyCreate {
        Objects.requireNonNull(groupId, "groupId");
    }
}
