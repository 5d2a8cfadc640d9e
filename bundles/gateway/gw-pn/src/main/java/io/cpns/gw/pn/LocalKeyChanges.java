package io.cpns.gw.pn;

import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The LocalEUKeys one registration batch installs (seed 004 step 6: "decrypts ... and stores").
 * A PNE that ends up outside the PN gets its previous key back, unless it proved it holds the new
 * one by securing its link with it: so a device answering in another PNE's name cannot destroy
 * that PNE's working key, and a genuine PNE is never left with a key the PN GW dropped (D31).
 *
 * <p>Journaled, so that a power cut cannot strand a PNE: before a new key replaces the previous
 * one, the previous one (or "none") is written under {@code lekp.<pne>}; the entry goes once the
 * change is settled (kept: the PNE proved the key or joined; or rolled back). A PN GW that died in
 * between finds the entry when it starts and rolls the change back ({@link #recover}): the PNE
 * either never had the new key, or kept the previous one too and falls back to it (the PNE SDK's
 * {@code LinkKeys}).
 *
 * <p>An expel wins over a batch in flight: a PNE expelled after its establishment started gets no
 * key installed, and no key back (neither the new one nor, rolled back, the previous one) when the
 * batch settles. {@link #install} and the expel share a lock, so a crash between them leaves no
 * key either.
 */
final class LocalKeyChanges {
    static final String PENDING = KeyStoreAliases.LOCAL_EUKEY_PENDING;
    private static final byte[] NONE = new byte[0];
    private final SecretStore secrets;
    private final Predicate<String> expelled;
    private final Object expelLock;
    private final Map<String, byte[]> previous = new ConcurrentHashMap<>();
    private final Set<String> proven = ConcurrentHashMap.newKeySet();

    LocalKeyChanges(SecretStore secrets) {
        this(secrets, pne -> false, new Object());
    }

    /**
     * @param expelled  whether a PNE was expelled since its establishment started
     * @param expelLock held by the expel while it deletes a PNE's keys
     */
    LocalKeyChanges(SecretStore secrets, Predicate<String> expelled, Object expelLock) {
        this.secrets = secrets;
        this.expelled = expelled;
        this.expelLock = expelLock;
    }

    /** Whether the PNE was expelled since its establishment started: it joins nothing. */
    boolean expelled(String pneId) {
        return expelled.test(pneId);
    }

    /** @return false if the PNE was expelled meanwhile: no key for it */
    boolean install(String pneId, byte[] localEuKey) {
        synchronized (expelLock) {
            if (expelled.test(pneId)) {
                return false;
            }
            journalAndPut(pneId, localEuKey);
            return true;
        }
    }

    private void journalAndPut(String pneId, byte[] localEuKey) {
        previous.computeIfAbsent(pneId, id -> {
            byte[] old = current(id);
            byte[] entry = journal(old);
            try {
                secrets.put(PENDING + id, entry); // first: from here on a restart puts the old key back
            } finally {
                Bytes.wipe(entry);
            }
            return old;
        });
        secrets.put(KeyStoreAliases.localEuKey(pneId), localEuKey);
    }

    /** The PNE's LocalEUKey now; one that no longer reads back is of no use to anyone: set aside, and replaced. */
    private byte[] current(String pneId) {
        try {
            return secrets.get(KeyStoreAliases.localEuKey(pneId)).orElse(NONE);
        } catch (CorruptSecretException e) {
            secrets.quarantine(KeyStoreAliases.localEuKey(pneId));
            return NONE;
        }
    }

    /** The PNE answered over a link it secured with the new key: the change is kept, whatever happens next. */
    void proven(String pneId) {
        proven.add(pneId);
        secrets.delete(PENDING + pneId);
    }

    /** After the verdicts (or a failure, with none joined): keep or roll back each installed key. */
    void settle(Set<String> joined) {
        synchronized (expelLock) { // an expel between the look and the restore would get the key put back
            previous.forEach((pneId, old) -> {
                if (expelled.test(pneId)) {
                    secrets.delete(KeyStoreAliases.localEuKey(pneId)); // the expel deleted it; nothing given back
                } else if (!joined.contains(pneId) && !proven.contains(pneId)) {
                    restore(secrets, pneId, old);
                }
                secrets.delete(PENDING + pneId); // last: a crash before it rolls back again, which is the same
                Bytes.wipe(old);
            });
            previous.clear();
        }
    }

    /**
     * On start: rolls back every change a previous run left unsettled (it died during PN
     * Establishment). An entry that no longer reads back is quarantined; that PNE's key stays.
     *
     * @return the PNEs whose LocalEUKey went back, and the entries quarantined (as problems)
     */
    static Recovered recover(SecretStore secrets) {
        List<String> rolledBack = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        for (String alias : secrets.aliases(PENDING)) {
            String pneId = alias.substring(PENDING.length());
            Optional<byte[]> entry;
            try {
                entry = secrets.get(alias);
            } catch (CorruptSecretException e) {
                unreadable.add(new Unreadable(pneId, e.getMessage(), secrets.quarantine(alias)));
                continue;
            }
            entry.ifPresent(j -> {
                byte[] old = Arrays.copyOfRange(j, 1, j.length);
                try {
                    restore(secrets, pneId, j[0] == 1 ? old : NONE);
                } finally {
                    Bytes.wipe(j, old);
                }
            });
            secrets.delete(alias);
            rolledBack.add(pneId);
        }
        return new Recovered(rolledBack, unreadable);
    }

    record Recovered(List<String> rolledBack, List<Unreadable> unreadable) {
    }

    record Unreadable(String pneId, String reason, Optional<String> where) {
    }

    private static void restore(SecretStore secrets, String pneId, byte[] old) {
        if (old.length == 0) {
            secrets.delete(KeyStoreAliases.localEuKey(pneId));
        } else {
            secrets.put(KeyStoreAliases.localEuKey(pneId), old);
        }
    }

    /** {@code 1 | key}, or {@code 0} for "had none". */
    private static byte[] journal(byte[] old) {
        byte[] e = new byte[1 + old.length];
        e[0] = (byte) (old.length == 0 ? 0 : 1);
        System.arraycopy(old, 0, e, 1, old.length);
        return e;
    }
}
