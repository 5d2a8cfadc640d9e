package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Entities and their EUKeys (TS §5.3.1, §5.3.4). */
@ProviderType
public interface EntityRegistry {
    /**
     * Assigns a fresh EUKey to {@code entity}, owned by {@code owner}. The caller has authenticated
     * the CPNS User already.
     *
     * <p>An assignment is <em>unconfirmed</em> until the entity first authenticates with the key
     * ({@link #confirm}). The same owner may assign an unconfirmed entity again (its reply was lost,
     * so the entity holds no key): the new key replaces the old one, which stops working.
     *
     * @return the new EUKey (the caller sends it and wipes it)
     * @throws io.cpns.api.CpnsException {@code ALREADY_ASSIGNED} if the entity has a confirmed EUKey
     *         (TS §5.3.1 "SHALL NOT happen"), or an unconfirmed one of another user or kind
     */
    byte[] assignEuKey(EntityId entity, EntityKind kind, UserId owner);

    /** Records that {@code entity} authenticated with its EUKey: from now on it cannot be re-assigned. */
    void confirm(EntityId entity);

    /** Removes an entity and its EUKey (operator action, e.g. to re-enrol a replaced device). */
    boolean remove(EntityId entity);

    Optional<EntityRecord> find(EntityId entity);

    List<EntityRecord> list();

    List<EntityRecord> listByOwner(UserId owner);

    /** The stored EUKey, decrypted, for the secure session; the caller wipes it. */
    Optional<byte[]> euKey(EntityId entity);
}
