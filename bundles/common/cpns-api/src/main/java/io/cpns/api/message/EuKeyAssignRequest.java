package io.cpns.api.message;

import io.cpns.api.EntityKind;
import java.util.Objects;

/**
 * EUKey assignment request (TS §5.3.1): the CPNS User who owns the entity authenticates with
 * User ID and password; only sent inside a server-authenticated TLS connection.
 *
 * @param entityId Entity ID the key is for
 * @param kind     GATEWAY or PNE
 * @param userId   the owning CPNS User
 * @param password UTF-8 password; wiped by the receiver after use
 */
public record EuKeyAssignRequest(String entityId, EntityKind kind, String userId, byte[] password)
        implements Message {
    public EuKeyAssignRequest {
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "EuKeyAssignRequest[entityId=" + entityId + ", kind=" + kind + ", userId=" + userId + ", password=***]";
    }
}
