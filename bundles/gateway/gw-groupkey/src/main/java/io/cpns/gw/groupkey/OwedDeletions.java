package io.cpns.gw.groupkey;

import io.cpns.api.gateway.KeyStoreAliases;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PNEs that may still hold the Group Key of a group they are no longer in here: the group was
 * deleted, or they left, while their link was down (or the {@code group.key.delete} went unanswered).
 * Each is told its groups ({@code group.membership}) at its next link-up, TS §5.3.2 "SG member PNEs
 * delete Group Key". One marker record per PNE in the secret store ({@code gko.<pneId>}), so a restart
 * of the PN GW in between loses none.
 */
final class OwedDeletions {
    static final String PREFIX = KeyStoreAliases.GROUP_OWED;
    private static final String WHAT = "Group Key deletion owed to a PNE";

    private final Records records;
    private final Set<String> pnes = ConcurrentHashMap.newKeySet();

    OwedDeletions(Records records) {
        this.records = records;
        records.aliases(PREFIX).forEach(a -> pnes.add(a.substring(PREFIX.length())));
    }

    void add(String pne) {
        if (pnes.add(pne)) {
            records.write(PREFIX + pne, WHAT, new byte[] {1});
        }
    }

    boolean has(String pne) {
        return pnes.contains(pne);
    }

    /** The PNE acknowledged its groups: it holds no other. */
    void done(String pne) {
        if (pnes.remove(pne)) {
            records.delete(PREFIX + pne);
        }
    }
}
