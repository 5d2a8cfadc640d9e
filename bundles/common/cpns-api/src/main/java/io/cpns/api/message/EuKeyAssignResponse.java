package io.cpns.api.message;

import java.util.Objects;

/** The assigned EUKey (TS §5.3.1). Carried only inside server-authenticated TLS. */
public record EuKeyAssignResponse(String entityId, byte[] euKey) implements Message {
    public EuKeyAssignResponse {
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(euKey, "euKey");
    }

    @Override
    public String toString() {
        return "EuKeyAssignResponse[entityId=" + entityId + ", euKey=***]";
    }
}
