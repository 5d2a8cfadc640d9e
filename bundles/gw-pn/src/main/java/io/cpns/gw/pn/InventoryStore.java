package io.cpns.gw.pn;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.PnMemberRecord;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import java.io.IOException;
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

    /** A PN's record that did not read back and was set aside ({@code where}: its file now; empty if deleted). */
    record Quarantined(String pnId, String reason, Optional<String> where) {
    }

    private final SecretStore secrets;
    private final CBORMapper mapper = new CBORMapper();
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
            } catch (CorruptSecretException | UncheckedIOException e) { // does not decrypt, or not a PN record
                quarantined.add(new Quarantined(alias.substring(PREFIX.length()), e.getMessage(), secrets.quarantine(alias)));
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
                    secrets.delete(PREFIX + r.pnId());
                } else {
                    save(new PnRecord(r.pnId(), r.initiator(), r.established(), rest));
                }
            }
        }
        return found;
    }

    private void save(PnRecord r) {
        pns.put(r.pnId(), r);
        secrets.put(PREFIX + r.pnId(), encode(r));
    }

    private byte[] encode(PnRecord r) {
        List<StoredMember> members = r.members().stream().map(m -> new StoredMember(m.pneId(), m.capabilities(), m.contents(),
                m.localEuKey(), m.joined().toEpochMilli())).toList();
        try {
            return mapper.writeValueAsBytes(new StoredPn(r.pnId(), r.initiator(), r.established().toEpochMilli(), members));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PnRecord decode(byte[] bytes) {
        try {
            StoredPn s = mapper.readValue(bytes, StoredPn.class);
            if (s.pnId() == null || s.members() == null || s.members().stream().anyMatch(m -> m == null || m.pneId() == null)) {
                throw new IOException("a PN record without PN ID or members");
            }
            List<PnMemberRecord> members = s.members().stream().map(m -> new PnMemberRecord(m.pneId(), m.capabilities(), m.contents(),
                    m.localEuKey(), Instant.ofEpochMilli(m.joined()))).toList();
            return new PnRecord(s.pnId(), s.initiator(), Instant.ofEpochMilli(s.established()), members);
        } catch (IOException | RuntimeException e) { // decrypted, yet no PN record: a bug or another version wrote it
            throw new UncheckedIOException("not a PN Inventory record: " + e.getMessage(), new IOException(e));
        }
    }
}
