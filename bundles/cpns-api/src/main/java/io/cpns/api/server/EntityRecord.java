package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;
import java.time.Instant;

/**
 * An entity known to the Server: its EUKey is stored with Entity ID and User ID (TS §5.3.1).
 * The key itself is never part of this record.
 */
public record EntityRecord(EntityId id, EntityKind kind, UserId owner, Instant assignedAt, String euKeyFingerprint) {
}
