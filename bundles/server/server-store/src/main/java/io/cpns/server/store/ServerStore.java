package io.cpns.server.store;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Rows of the Server's database. Secrets arrive already sealed (encrypted) by the caller: this
 * layer never sees a key in the clear.
 */
@ProviderType
public interface ServerStore {
    /** @throws io.cpns.api.CpnsException {@code USER_EXISTS} */
    void insertUser(UserId user, String passwordHash);

    Optional<String> passwordHash(UserId user);

    List<UserId> users();

    /**
     * Inserts an entity with its sealed EUKey in one transaction.
     *
     * @throws io.cpns.api.CpnsException {@code ALREADY_ASSIGNED} if the entity exists,
     *         {@code INVALID_ARGUMENT} if the owner is not a registered user
     */
    void insertEntity(EntityRecord entity, byte[] sealedEuKey);

    /**
     * Replaces the sealed EUKey of an entity that is still unconfirmed and has the same owner and
     * kind as {@code entity}; sets its assignment time and fingerprint anew.
     *
     * @return false if there is no such unconfirmed entity
     */
    boolean replaceUnconfirmedEuKey(EntityRecord entity, byte[] sealedEuKey);

    /** Sets the confirmation time of an unconfirmed entity; no effect on a confirmed one. */
    void confirmEntity(EntityId entity, java.time.Instant at);

    /** @return true if the entity existed */
    boolean deleteEntity(EntityId entity);

    Optional<EntityRecord> entity(EntityId entity);

    /** The sealed EUKey of an entity. */
    Optional<byte[]> sealedEuKey(EntityId entity);

    List<EntityRecord> entities();

    List<EntityRecord> entitiesOf(UserId owner);

    /** Human-readable description of the database (URL without credentials), for logs and operators. */
    String describe();
}
