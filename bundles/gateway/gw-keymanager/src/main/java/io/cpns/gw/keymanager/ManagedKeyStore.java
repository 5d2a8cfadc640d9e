package io.cpns.gw.keymanager;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GroupKeyManager.ManagedGroup;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import io.cpns.codec.CborRecord;
import io.cpns.crypto.Bytes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.log.Logger;

/**
 * The last Group Key this PN GW created for each group it manages: one CBOR record per group in
 * the secret store ({@code gkm.<groupId>}), encrypted at rest and written atomically, so that a
 * restart or an update of this bundle between creating a key and the Server's notification still
 * lets the member PNEs here get it directly.
 *
 * <p>A record that does not read back costs only its group (issue 10): it is set aside
 * ({@link SecretStore#quarantine}) and reported until this PN GW creates that group's next key.
 * Nothing is lost meanwhile: the key was registered on the Server when it was created, and
 * gw-groupkey pulls it from there.
 */
final class ManagedKeyStore {
    static final String PREFIX = KeyStoreAliases.MANAGED_GROUP_KEY;

    record Stored(String groupId, long epoch, String fingerprint, long created, byte[] key) {
    }

    private static final CborRecord<Stored> RECORD = new CborRecord<>(PREFIX, Stored.class, "managed Group Key record",
            s -> s.groupId() != null && s.key() != null);

    private final SecretStore secrets;
    private final Logger log;
    private final java.time.Clock clock;
    /** Quarantined records not yet replaced, by group: what cpns:health says. */
    private final Map<String, String> quarantined = new ConcurrentHashMap<>();

    ManagedKeyStore(SecretStore secrets, Logger log, java.time.Clock clock) {
        this.secrets = secrets;
        this.log = log;
        this.clock = clock;
    }

    /** A key made now: its age (the own rekey schedule) counts from here. */
    void put(String groupId, long epoch, String fingerprint, byte[] key) {
        put(groupId, epoch, fingerprint, key, clock.millis());
    }

    /** A key made {@code created} (epoch ms): a previous key put back keeps its age. */
    void put(String groupId, long epoch, String fingerprint, byte[] key, long created) {
        byte[] bytes = RECORD.encode(new Stored(groupId, epoch, fingerprint, created, key));
        try {
            secrets.put(RECORD.alias(groupId), bytes);
        } finally {
            Bytes.wipe(bytes);
        }
        if (quarantined.remove(groupId) != null) {
            log.info("Group Key Manager: {} has a readable record again ({}{})", groupId, PREFIX, groupId);
        }
    }

    /** The record of a group, key included (the caller wipes {@code key()}); empty if none or it does not read back. */
    Optional<Stored> get(String groupId) {
        String alias = RECORD.alias(groupId);
        byte[] bytes;
        try {
            bytes = secrets.get(alias).orElse(null);
        } catch (CpnsException e) {
            if (!(e instanceof CorruptSecretException) && e.code() != ErrorCode.INTERNAL) {
                throw e;
            }
            quarantine(groupId, e.getMessage());
            return Optional.empty();
        }
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(RECORD.decode(bytes));
        } catch (CpnsException e) {
            quarantine(groupId, e.getMessage());
            return Optional.empty();
        } finally {
            Bytes.wipe(bytes);
        }
    }

    boolean forget(String groupId) {
        quarantined.remove(groupId);
        return secrets.delete(RECORD.alias(groupId));
    }

    List<ManagedGroup> all() {
        return secrets.aliases(PREFIX).stream().sorted().map(a -> get(RECORD.id(a)))
                .flatMap(Optional::stream)
                .map(s -> {
                    Bytes.wipe(s.key());
                    return new ManagedGroup(s.groupId(), s.epoch(), s.fingerprint(), Instant.ofEpochMilli(s.created()));
                }).toList();
    }

    List<String> problems() {
        List<String> out = new ArrayList<>();
        quarantined.forEach((g, line) -> out.add(line));
        return out;
    }

    private void quarantine(String groupId, String why) {
        String alias = RECORD.alias(groupId);
        String where;
        try {
            where = secrets.quarantine(alias).map(w -> "moved to " + w).orElse("deleted, this keystore keeps no copy");
        } catch (RuntimeException e) {
            where = "could not be moved aside: " + e.getMessage();
        }
        log.warn("Group Key Manager: {} does not read back ({}): quarantined ({}). Nothing is lost: the CPNS Server holds the key it "
                + "registered, and this PN GW's members get it from there; the other managed groups are unaffected. It is made anew "
                + "at the group's next change (or server:groupupdate {})", alias, why, where, groupId);
        quarantined.put(groupId, "gw-keymanager: managed Group Key record " + alias + " was unreadable and is quarantined (" + where
                + "); the Server holds that key. Recovers at " + groupId + "'s next Group Key: run server:groupupdate " + groupId);
    }
}
