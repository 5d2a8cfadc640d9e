package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;
import java.util.List;
import java.util.Optional;

/** Entities and their EUKeys (TS §5.3.1, §5.3.4). */
public interface EntityRegistry {
    /**
     * Assigns a fresh EUKey to {@code entity}, owned by {@code owner}. The caller has authenticated
     * the CPNS User already.
     *
     * @return the new EUKey (the caller sends it and wipes it)
     * @throws io.cpns.api.CpnsException {@code ALREADY_ASSIGNED} if the entity has an EUKey (§5.3.1
     *         "SHALL NOT happen"), {@code FORBIDDEN} if the entity belongs to another user
     */
    byte[] assignEuKey(EntityId entity, EntityKind kind, UserId owner);

    Optional<EntityRecord> find(EntityId entity);

    List<EntityRecord> list();

    List<EntityRecord> listByOwner(UserId owner);

    /** The stored EUKey, decrypted, for the secure session; the caller wipes it. */
    Optional<byte[]> euKey(EntityId entity);
}
