package io.cpns.gw.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.PnMemberRecord;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import io.cpns.codec.CborRecord;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PN GW's PN Inventory (seed 004 steps 4 and 13): in memory, and each PN persisted as CBOR in
 * the secret store ({@code pn.<pnId>}): encrypted at rest, written atomically, so after a restart
 * the PNEs rejoin their PNs without a new establishment. (A device list is personal data: it is
 * encrypted like the keys.)
 */
final class InventoryStore {
    static final String PREFIX = KeyStoreAliases.PN_INVENTORY;

    record StoredMember(String pneId, Map<String, String> capabilities, List<String> contents, boolean localEuKey, long joined) {
    }

    record StoredPn(String pnId, String initiator, long established, List<StoredMember> members) {
    }

    private static final CborRecord<StoredPn> RECORD = new CborRecord<>(PREFIX, StoredPn.class, "PN Inventory record",
            s -> s.pnId() != null && s.members() != null && s.members().stream().noneMatch(m -> m == null || m.pneId() == null));

    /** A PN's record that did not read back and was set aside ({@code where}: its file now; empty if deleted). */
    record Quarantined(String pnId, String reason, Optional<String> where) {
    }

    private final SecretStore secrets;
    private final Map<String, PnRecord> pns = new ConcurrentHashMap<>();
    private final List<Quarantined> quarantined = new ArrayList<>();

    /** Loads every PN; one whose record is corrupt is quarantined, and the others load as usual. */
    InventoryStore(SecretStore secrets) {
        this.secrets = secrets;
        for (String alias : secrets.aliases(PREFIX)) {
            try {
                secrets.get(alias).ifPresent(bytes -> {
                    PnRecord r = decode(bytes);
                    pns.put(r.pnId(), r);
                });
            } catch (CorruptSecretException | UncheckedIOException e) { // does not decrypt
                quarantined.add(new Quarantined(RECORD.id(alias), e.getMessage(), secrets.quarantine(alias)));
            } catch (CpnsException e) { // decrypted, yet not a PN record ({@link CborRecord#decode})
                if (e.code() != ErrorCode.INTERNAL) {
                    throw e;
                }
                quarantined.add(new Quarantined(RECORD.id(alias), e.getMessage(), secrets.quarantine(alias)));
            }
        }
    }

    /** The PN records set aside when loading. */
    List<Quarantined> quarantined() {
        return List.copyOf(quarantined);
    }

    Collection<PnRecord> all() {
        return pns.values();
    }

    /** The PNE IDs of PN {@code pnId}'s members here (none if this PN GW has no such PN). */
    java.util.Set<String> memberIds(String pnId) {
        return get(pnId).map(pn -> pn.members().stream().map(PnMemberRecord::pneId).collect(java.util.stream.Collectors.toSet()))
                .orElse(java.util.Set.of());
    }

    Optional<PnRecord> get(String pnId) {
        return Optional.ofNullable(pns.get(pnId));
    }

    /** Adds members to a PN (creating it), persists it, returns it. */
    synchronized PnRecord merge(String pnId, String initiator, List<PnMemberRecord> joined) {
        PnRecord old = pns.get(pnId);
        List<PnMemberRecord> members = new ArrayList<>(old == null ? List.of() : old.members());
        for (PnMemberRecord m : joined) {
            members.removeIf(x -> x.pneId().equals(m.pneId()));
            members.add(m);
        }
        members.sort(java.util.Comparator.comparing(PnMemberRecord::pneId));
        PnRecord r = new PnRecord(pnId, old == null ? initiator : old.initiator(), old == null ? Instant.now() : old.established(), members);
        save(r);
        return r;
    }

    /** Removes a PNE from every PN; an emptied PN is deleted. @return whether it was anywhere */
    synchronized boolean removeMember(String pneId) {
        boolean found = false;
        for (PnRecord r : List.copyOf(pns.values())) {
            if (r.hasMember(pneId)) {
                found = true;
                List<PnMemberRecord> rest = r.members().stream().filter(m -> !m.pneId().equals(pneId)).toList();
                if (rest.isEmpty()) {
                    pns.remove(r.pnId());
                    secrets.delete(RECORD.alias(r.pnId()));
                } else {
                    save(new PnRecord(r.pnId(), r.initiator(), r.established(), rest));
                }
            }
        }
        return found;
    }

    private void save(PnRecord r) {
        pns.put(r.pnId(), r);
        secrets.put(RECORD.alias(r.pnId()), encode(r));
    }

    private byte[] encode(PnRecord r) {
        List<StoredMember> members = r.members().stream().map(m -> new StoredMember(m.pneId(), m.capabilities(), m.contents(),
                m.localEuKey(), m.joined().toEpochMilli())).toList();
        return RECORD.encode(new StoredPn(r.pnId(), r.initiator(), r.established().toEpochMilli(), members));
    }

    private static PnRecord decode(byte[] bytes) {
        StoredPn s = RECORD.decode(bytes);
        try {
            List<PnMemberRecord> members = s.members().stream().map(m -> new PnMemberRecord(m.pneId(), m.capabilities(), m.contents(),
                    m.localEuKey(), Instant.ofEpochMilli(m.joined()))).toList();
            return new PnRecord(s.pnId(), s.initiator(), Instant.ofEpochMilli(s.established()), members);
        } catch (RuntimeException e) { // decoded, yet no valid PN: a bug or another version wrote it
            throw new CpnsException(ErrorCode.INTERNAL, "not a PN Inventory record");
        }
    }
}
