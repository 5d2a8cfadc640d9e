package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;
import java.time.Instant;

/**
 * An entity known to the Server: its EUKey is stored with Entity ID and User ID (TS §5.3.1).
 * The key itself is never part of this record.
 *
 * @param confirmedAt when the entity first authenticated with this EUKey (proving it received the
 *                    key), or {@code null} while the assignment is unconfirmed
 */
public record EntityRecord(EntityId id, EntityKind kind, UserId owner, Instant assignedAt, String euKeyFingerprint,
                           Instant confirmedAt) {
    public boolean confirmed() {
        return confirmedAt != null;
    }
}
