package io.cpns.gw.pn;

import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The LocalEUKeys one registration batch installs (seed 004 step 6: "decrypts ... and stores").
 * A PNE that ends up outside the PN gets its previous key back, unless it proved it holds the new
 * one by securing its link with it: so a device answering in another PNE's name cannot destroy
 * that PNE's working key, and a genuine PNE is never left with a key the PN GW dropped.
 */
final class LocalKeyChanges {
    private static final byte[] NONE = new byte[0];
    private final SecretStore secrets;
    private final Map<String, byte[]> previous = new ConcurrentHashMap<>();
    private final Set<String> proven = ConcurrentHashMap.newKeySet();

    LocalKeyChanges(SecretStore secrets) {
        this.secrets = secrets;
    }

    void install(String pneId, byte[] localEuKey) {
        String alias = LocalKeys.alias(pneId);
        previous.computeIfAbsent(pneId, id -> secrets.get(alias).orElse(NONE));
        secrets.put(alias, localEuKey);
    }

    /** The PNE answered over a link it secured with the new key. */
    void proven(String pneId) {
        proven.add(pneId);
    }

    /** After the verdicts (or a failure, with none joined): keep or roll back each installed key. */
    void settle(Set<String> joined) {
        previous.forEach((pneId, old) -> {
            if (!joined.contains(pneId) && !proven.contains(pneId)) {
                if (old == NONE) {
                    secrets.delete(LocalKeys.alias(pneId));
                } else {
                    secrets.put(LocalKeys.alias(pneId), old);
                }
            }
            Bytes.wipe(old);
        });
        previous.clear();
    }
}
