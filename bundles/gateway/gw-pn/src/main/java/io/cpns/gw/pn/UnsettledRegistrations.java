package io.cpns.gw.pn;

import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.store.SecretStore;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.osgi.service.log.Logger;

/**
 * PN registrations whose outcome the Server may know and this PN GW may not (D60). Once the
 * PN GW sent a batch's Authentication responses (step 10), the Server may register the PN and its
 * PNEs (steps 11-12) whatever becomes of its answer: the link or the Server dies before it
 * arrives, or this PN GW dies before the PN is in its PN Inventory (step 13). Then the Server would
 * hold a PN, or members, the PN GW does not: group keys and relays for PNEs it does not know, and
 * an expel here that never reaches that PN.
 *
 * <p>So the PNEs of each batch are journaled under {@code pnreg.<pn>} before step 10. When the
 * establishment ends, those that neither joined here nor were refused by the Server are withdrawn
 * from the Server's PN ({@code pn.member.remove}, {@code expel: false}, journaled in
 * {@link PendingRemovals}), and the entry goes. A PN GW that finds entries when it starts died
 * during an establishment: their PNEs that are not in the PN here are withdrawn the same way.
 */
final class UnsettledRegistrations {
    static final String PREFIX = KeyStoreAliases.PN_REGISTRATION;

    private final JournalSets journal;
    private final PendingRemovals withdrawals;
    private final Logger log;
    /** By PN: the PNEs the Server said it did not authenticate (they are in no PN there). */
    private final Map<String, Set<String>> refused = new ConcurrentHashMap<>();

    UnsettledRegistrations(SecretStore secrets, PendingRemovals withdrawals, Logger log) {
        this.withdrawals = withdrawals;
        this.log = log;
        this.journal = new JournalSets(secrets, PREFIX, (pn, where) -> log.error(
                "the journal of the unsettled registration of PN {} does not read back ({}): compare server:pns with gw:pns", pn,
                where.map(w -> "moved to " + w).orElse("deleted")));
    }

    /** Before step 10: the Server may register these PNEs in the PN from now on. */
    void sending(String pnId, Collection<String> pnes) {
        journal.add(pnId, pnes);
    }

    /** Steps 11-12: the Server did not authenticate these, so they are in no PN there. */
    void refused(String pnId, Collection<String> pnes) {
        refused.computeIfAbsent(pnId, p -> ConcurrentHashMap.newKeySet()).addAll(pnes);
    }

    /**
     * The establishment ended: the PN (if any PNE joined) is in the PN Inventory.
     *
     * @param joined   PNEs in the PN here now
     * @param expelled whether a PNE was expelled meanwhile (its expel tells the Server)
     */
    void finished(String pnId, Set<String> joined, java.util.function.Predicate<String> expelled) {
        Set<String> not = refused.remove(pnId);
        Set<String> withdraw = new HashSet<>(journal.get(pnId));
        withdraw.removeAll(joined);
        withdraw.removeIf(expelled);
        if (not != null) {
            withdraw.removeAll(not);
        }
        withdrawAll(pnId, withdraw);
        journal.delete(pnId); // last: a crash before it withdraws them again at the next start
    }

    /**
     * At start: every entry left is an establishment a stop cut short.
     *
     * @param members       the PNEs of a PN in the PN Inventory (none if it is not there)
     * @param expelPending  whether an expel of that PNE from that PN waits to be sent (it wins)
     */
    void recover(Function<String, Set<String>> members, BiPredicate<String, String> expelPending) {
        journal.all().forEach((pnId, pnes) -> {
            Set<String> withdraw = new HashSet<>(pnes);
            withdraw.removeAll(members.apply(pnId));
            withdraw.removeIf(pne -> expelPending.test(pne, pnId));
            if (!withdraw.isEmpty()) {
                log.warn("PN Establishment of PN {} was cut short by a stop: {} PNE(s) the Server may have registered there are "
                        + "withdrawn from it when the link is up: {}", pnId, withdraw.size(), String.join(", ", new java.util.TreeSet<>(withdraw)));
            }
            withdrawAll(pnId, withdraw);
            journal.delete(pnId);
        });
    }

    private void withdrawAll(String pnId, Set<String> pnes) {
        pnes.forEach(pne -> withdrawals.add(pne, Set.of(pnId)));
    }
}
