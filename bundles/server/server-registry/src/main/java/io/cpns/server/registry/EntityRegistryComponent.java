package io.cpns.server.registry;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.server.store.ServerStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Entities and their EUKeys (TS §5.3.1): a fresh 256-bit EUKey per entity, stored sealed with the
 * Entity ID and the owning User ID; a second assignment for the same entity is refused.
 */
@Component(immediate = true)
public class EntityRegistryComponent implements EntityRegistry {
    static final int EUKEY_LENGTH = 32;

    private final ServerStore store;
    private final Logger log;
    private final EuKeySealer sealer;

    @Activate
    public EntityRegistryComponent(@Reference ServerStore store, @Reference SecretStore secrets,
                                   @Reference(service = LoggerFactory.class) Logger log) {
        this.store = store;
        this.log = log;
        this.sealer = new EuKeySealer(secrets);
    }

    @Deactivate
    void deactivate() {
        sealer.close();
    }

    @Override
    public byte[] assignEuKey(EntityId entity, EntityKind kind, UserId owner) {
        byte[] euKey = Randoms.bytes(EUKEY_LENGTH);
        String fp = Suites.fingerprint(euKey);
        EntityRecord record = new EntityRecord(entity, kind, owner, Instant.now().truncatedTo(ChronoUnit.MILLIS), fp, null);
        byte[] sealed = sealer.seal(entity, euKey);
        try {
            store.insertEntity(record, sealed);
            log.info("EUKey assigned to {} {} of CPNS User {} (fingerprint {})", kind, entity, owner, fp);
        } catch (CpnsException e) {
            // The entity exists. If its key was never used, the reply that carried it was lost: the
            // entity holds no key, so the same owner may have a new one (the old one stops working).
            if (e.code() != ErrorCode.ALREADY_ASSIGNED || !store.replaceUnconfirmedEuKey(record, sealed)) {
                Bytes.wipe(euKey);
                throw e;
            }
            log.warn("EUKey of {} {} re-assigned for CPNS User {}: the previous one was never used (fingerprint {})",
                    kind, entity, owner, fp);
        }
        return euKey;
    }

    @Override
    public void confirm(EntityId entity) {
        store.confirmEntity(entity, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    @Override
    public boolean remove(EntityId entity) {
        boolean removed = store.deleteEntity(entity);
        if (removed) {
            log.info("entity {} and its EUKey removed", entity);
        }
        return removed;
    }

    @Override
    public Optional<EntityRecord> find(EntityId entity) {
        return store.entity(entity);
    }

    @Override
    public List<EntityRecord> list() {
        return store.entities();
    }

    @Override
    public List<EntityRecord> listByOwner(UserId owner) {
        return store.entitiesOf(owner);
    }

    @Override
    public Optional<byte[]> euKey(EntityId entity) {
        return store.sealedEuKey(entity).map(sealed -> {
            try {
                return sealer.open(entity, sealed);
            } finally {
                Bytes.wipe(sealed);
            }
        });
    }
}
