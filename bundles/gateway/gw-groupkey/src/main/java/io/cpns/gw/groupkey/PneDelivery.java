package io.cpns.gw.groupkey;

import io.cpns.api.EntityId;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.MemberDelivery.Mode;
import io.cpns.api.gateway.MemberDelivery.Status;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.GroupKeyDelete;
import io.cpns.api.message.GroupKeyDeliver;
import io.cpns.crypto.Bytes;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Unicast Group Key delivery to member PNEs (TS §5.3.2: every PN GW and PNE SHALL support it):
 * over each PNE's link, and only a protected one (PNE–GW session, PSK-TLS, or a secure PAN). A
 * PNE not connected now asks with {@code group.key.req} when it needs the key.
 */
final class PneDelivery {
    private final Supplier<PneMessenger> pnes;
    private final Logger log;
    private final Duration timeout;
    private final DeliveryStatus status;
    private final OwedDeletions owed;

    PneDelivery(Supplier<PneMessenger> pnes, Logger log, Duration timeout, DeliveryStatus status, OwedDeletions owed) {
        this.pnes = pnes;
        this.owed = owed;
        this.log = log;
        this.timeout = timeout;
        this.status = status;
    }

    Duration timeout() {
        return timeout;
    }

    /** Whether a link may carry a Group Key ({@link PneLink#isProtected()}). */
    static boolean protectedLink(PneLink l) {
        return l.isProtected();
    }

    void deliver(String groupId, long epoch, Collection<String> members, byte[] key) {
        PneMessenger m = pnes.get();
        for (String pne : members) {
            Optional<PneLink> link = m == null ? Optional.empty() : m.link(EntityId.of(pne));
            if (link.isEmpty()) {
                status.set(groupId, pne, Mode.UNICAST, epoch, Status.PENDING); // delivered when its link is back
                continue;
            }
            if (!protectedLink(link.get())) {
                status.failed(groupId, pne, Mode.UNICAST, epoch, "link not protected");
                log.warn("Group Key of {} not sent to {}: its link is not protected", groupId, pne);
                continue;
            }
            GroupKeyDeliver d = new GroupKeyDeliver(groupId, epoch, key.clone());
            status.sent(groupId, pne);
            m.request(EntityId.of(pne), d, timeout).whenComplete((r, x) -> {
                Bytes.wipe(d.groupKey());
                if (x == null) {
                    status.set(groupId, pne, Mode.UNICAST, epoch, Status.DELIVERED);
                } else {
                    Throwable why = Failures.cause(x);
                    status.failed(groupId, pne, Mode.UNICAST, epoch, why.getMessage());
                    log.info("Group Key of {} epoch {} not delivered to {}: {}", groupId, epoch, pne, why);
                }
            });
        }
    }

    /** Former members are told to delete the key now; one that is not reached is told its groups at its next link-up. */
    void delete(String groupId, Collection<String> formerMembers) {
        PneMessenger m = pnes.get();
        for (String pne : formerMembers) {
            if (m == null || m.link(EntityId.of(pne)).isEmpty()) {
                owed.add(pne);
                continue;
            }
            m.request(EntityId.of(pne), new GroupKeyDelete(groupId), timeout).whenComplete((r, x) -> {
                if (x != null) {
                    owed.add(pne);
                }
            });
        }
    }
}
