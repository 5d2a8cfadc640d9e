package io.cpns.server.groups;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.server.Principal;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.ServiceGroup;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.GroupMessage;
import io.cpns.groupkey.GroupSealer;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Messages to a Service Group between PN GWs (TS §5.3.3.2): a PN GW passes up what a member of
 * its PNs sent, and the Server forwards it to every other PN GW with members, which verify and
 * relay it. The Server checks who may send, not the seal: every receiving PN GW opens it.
 */
final class GroupMessageForwarder {
    private final GroupDelivery delivery;
    private final Supplier<ServerEndpoint> endpoint;
    private final Logger log;
    private final Duration timeout;

    GroupMessageForwarder(GroupDelivery delivery, Supplier<ServerEndpoint> endpoint, Logger log, Duration timeout) {
        this.delivery = delivery;
        this.endpoint = endpoint;
        this.log = log;
        this.timeout = timeout;
    }

    /** {@code group.msg} from a PN GW: its sender must be a member in that PN GW's PNs. */
    void fromGateway(Principal from, ServiceGroup g, GroupMsg m) {
        if (from.kind() != EntityKind.GATEWAY || !m.sealed()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "sealed group messages come from PN GWs");
        }
        EntityId sender = EntityId.of(m.sender());
        if (!g.hasMember(sender) || !delivery.membersByGateway(g, Set.of(sender)).containsKey(from.entity())) {
            log.warn("group message of {} to {} from PN GW {} refused: not a member in its PNs", m.sender(), g.groupId(), from.entity());
            throw new CpnsException(ErrorCode.FORBIDDEN, m.sender() + " is not a member of " + g.groupId() + " in the PNs of " + from.entity());
        }
        forward(g, m, from.entity());
    }

    /** A message of the Server's own, sealed in its name under the group's current key (the caller wipes {@code key}). */
    int fromServer(ServiceGroup g, byte[] key, EntityId serverId, byte[] payload) {
        try (GroupSealer sealer = new GroupSealer(Suites.modern(), g.groupId(), g.epoch(), key, serverId.value())) {
            GroupMessage m = sealer.seal(payload);
            int gateways = forward(g, new GroupMsg(g.groupId(), m.sender(), m.epoch(), m.counter(), m.ciphertext(), null), null);
            log.info("Service Group {}: message from the Server, sealed under epoch {}, sent to {} PN GWs", g.groupId(), g.epoch(), gateways);
            return gateways;
        }
    }

    /** To every PN GW with members of the group but {@code except}. */
    int forward(ServiceGroup g, GroupMsg m, EntityId except) {
        ServerEndpoint ep = endpoint.get();
        if (ep == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no endpoint");
        }
        int n = 0;
        for (EntityId gw : delivery.membersByGateway(g, g.members()).keySet()) {
            if (gw.equals(except)) {
                continue;
            }
            n++;
            ep.request(gw, m, timeout).whenComplete((r, x) -> {
                if (x != null) {
                    log.info("group message of {} to {} not forwarded to PN GW {}: {}", m.sender(), g.groupId(), gw, String.valueOf(x));
                }
            });
        }
        return n;
    }
}
