package io.cpns.gw.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.PnMemberRemove;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.osgi.service.log.Logger;

/**
 * The {@code pn.member.remove} messages of expels the Server has not confirmed yet, journaled
 * under {@code pnrm.<pne>} (the PN IDs, one a line) before they are sent: an expel while the link
 * to the Server is down, or just before a power cut, reaches the Server when the link is back
 * (also after a restart), so the Server does not keep the expelled PNE in its PNs and Service
 * Groups. An entry goes once the Server answered it, or refused it for good (the PN is gone or
 * not this PN GW's); anything else (no link, no answer) waits for the next link-up.
 */
final class PendingRemovals {
    static final String PREFIX = "pnrm.";

    private final SecretStore secrets;
    private final Logger log;
    /** Removals sent and not answered yet: not sent twice at once. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    PendingRemovals(SecretStore secrets, Logger log) {
        this.secrets = secrets;
        this.log = log;
    }

    /** Journals that {@code pneId} must leave each of {@code pnIds} on the Server. */
    synchronized void add(String pneId, Collection<String> pnIds) {
        if (pnIds.isEmpty()) {
            return;
        }
        Set<String> all = read(pneId);
        all.addAll(pnIds);
        write(pneId, all);
    }

    /** Every journaled removal: PNE -> its PNs. */
    synchronized Map<String, Set<String>> all() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String alias : new TreeSet<>(secrets.aliases(PREFIX))) {
            String pne = alias.substring(PREFIX.length());
            Set<String> pns = read(pne);
            if (!pns.isEmpty()) {
                out.put(pne, pns);
            }
        }
        return out;
    }

    /** Sends every journaled removal not already on its way; each leaves the journal once the Server answered. */
    void send(ServerLink link, Duration timeout) {
        if (link == null) {
            return;
        }
        all().forEach((pne, pns) -> pns.forEach(pn -> {
            String key = pne + " " + pn;
            if (!inFlight.add(key)) {
                return;
            }
            link.request(new PnMemberRemove(pn, pne), timeout).whenComplete((r, e) -> {
                inFlight.remove(key);
                Throwable why = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (why == null) {
                    done(pne, pn);
                    log.info("the Server removed expelled PNE {} from PN {}", pne, pn);
                } else if (why instanceof CpnsException c && (c.code() == ErrorCode.UNKNOWN_PN || c.code() == ErrorCode.FORBIDDEN)) {
                    done(pne, pn); // nothing there to remove, or not ours to: sending again changes nothing
                    log.warn("the Server refused removing expelled PNE {} from PN {}: {} {}", pne, pn, c.code(), c.getMessage());
                } else {
                    log.warn("the Server did not confirm removing expelled PNE {} from PN {} ({}): sent again when the link is back",
                            pne, pn, why.toString());
                }
            });
        }));
    }

    private synchronized void done(String pneId, String pnId) {
        Set<String> pns = read(pneId);
        if (pns.remove(pnId)) {
            write(pneId, pns);
        }
    }

    private Set<String> read(String pneId) {
        try {
            return secrets.get(PREFIX + pneId).map(b -> {
                try {
                    return Arrays.stream(new String(b, StandardCharsets.UTF_8).split("\n")).filter(s -> !s.isEmpty())
                            .collect(Collectors.toCollection(TreeSet::new));
                } finally {
                    Arrays.fill(b, (byte) 0);
                }
            }).orElseGet(TreeSet::new);
        } catch (CorruptSecretException e) {
            secrets.quarantine(PREFIX + pneId);
            log.error("the journal of PN removals of expelled PNE {} does not read back ({}): set aside; check server:pns and "
                    + "server:groups for it and remove it there (server:groupexpel)", pneId, e.getMessage());
            return new TreeSet<>();
        }
    }

    private void write(String pneId, Set<String> pns) {
        if (pns.isEmpty()) {
            secrets.delete(PREFIX + pneId);
        } else {
            secrets.put(PREFIX + pneId, String.join("\n", pns).getBytes(StandardCharsets.UTF_8));
        }
    }
}
