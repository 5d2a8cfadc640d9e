package io.cpns.gw.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.PnMemberRemove;
import io.cpns.api.store.SecretStore;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.log.Logger;

/**
 * {@code pn.member.remove} messages the Server has not confirmed yet, journaled before they are
 * sent, by PNE (the PN IDs, one a line): sent again at every link-up (also after a restart) until
 * the Server answers, or refuses for good (the PN is gone or not this PN GW's). Two kinds:
 * <ul>
 * <li>expels ({@code pnrm.<pne>}): the operator expelled the PNE; the Server takes it out of the
 * PN and of every Service Group. An expel while the link is down, or just before a power cut,
 * no longer leaves the PNE in the Server's PNs and Service Groups;</li>
 * <li>withdrawals ({@code pnwd.<pne>}, {@code expel: false}): the PNE's registration in a PN was
 * not completed here (the Server's answer was lost to a crash of either side, D60); the
 * Server takes it out of that PN only.</li>
 * </ul>
 */
final class PendingRemovals {
    static final String EXPELS = KeyStoreAliases.PN_EXPEL;
    static final String WITHDRAWALS = KeyStoreAliases.PN_WITHDRAWAL;

    private final JournalSets journal;
    private final boolean expel;
    private final Logger log;
    /** Removals sent and not answered yet: not sent twice at once. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Quick retries spent per removal: a Server just started may take requests before its server-pn handlers are there. */
    private final Map<String, Integer> retries = new ConcurrentHashMap<>();
    static final long RETRY_MILLIS = 2000;
    static final int RETRIES = 5;

    PendingRemovals(SecretStore secrets, Logger log, boolean expel) {
        this.expel = expel;
        this.log = log;
        this.journal = new JournalSets(secrets, expel ? EXPELS : WITHDRAWALS, (pne, where) -> log.error(
                "the journal of PN removals of PNE {} does not read back: {}; check server:pns and server:groups for it and "
                + "remove it there (server:groupexpel)", pne, where.map(w -> "moved to " + w).orElse("deleted")));
    }

    /** Journals that {@code pneId} must leave each of {@code pnIds} on the Server. */
    void add(String pneId, Collection<String> pnIds) {
        journal.add(pneId, pnIds);
    }

    /** Whether a removal of {@code pneId} from {@code pnId} waits to be sent. */
    boolean pending(String pneId, String pnId) {
        return journal.get(pneId).contains(pnId);
    }

    /** Every journaled removal: PNE -> its PNs. */
    Map<String, Set<String>> all() {
        return journal.all();
    }

    /** Sends every journaled removal not already on its way; each leaves the journal once the Server answered. */
    void send(ServerLink link, Duration timeout) {
        if (link == null) {
            return;
        }
        String what = expel ? "expelled PNE" : "PNE";
        all().forEach((pne, pns) -> pns.forEach(pn -> {
            String key = pne + " " + pn;
            if (!inFlight.add(key)) {
                return;
            }
            link.request(new PnMemberRemove(pn, pne, expel), timeout).whenComplete((r, e) -> {
                inFlight.remove(key);
                Throwable why = Failures.cause(e);
                if (why == null) {
                    retries.remove(key);
                    journal.remove(pne, pn);
                    log.info("the Server removed {} {} from PN {}{}", what, pne, pn, expel ? "" : " (its registration was not completed here)");
                } else if (why instanceof CpnsException c && (c.code() == ErrorCode.UNKNOWN_PN || c.code() == ErrorCode.FORBIDDEN)) {
                    retries.remove(key);
                    journal.remove(pne, pn); // nothing there to remove, or not ours to: sending again changes nothing
                    log.info("the Server has no PN {} of this PN GW to remove {} {} from: {}", pn, what, pne, c.getMessage());
                } else if (why instanceof CpnsException c && c.code() == ErrorCode.UNAVAILABLE
                        && retries.merge(key, 1, Integer::sum) <= RETRIES) {
                    // e.g. the Server's endpoint took this link-up's removals before its server-pn was active: the next
                    // link-up may be far off, so a few more tries now (ServerFaultsIT.s01)
                    log.info("the Server could not take removing {} {} from PN {} yet ({}): trying again in {} ms", what, pne, pn,
                            c.getMessage(), RETRY_MILLIS);
                    java.util.concurrent.CompletableFuture.delayedExecutor(RETRY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)
                            .execute(() -> send(link, timeout));
                } else {
                    log.warn("the Server did not confirm removing {} {} from PN {} ({}): sent again when the link is back", what, pne, pn,
                            why.toString());
                }
            });
        }));
    }
}
