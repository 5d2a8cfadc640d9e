package io.cpns.server.groups;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.LinkProtection;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.message.GroupKeyPush;
import io.cpns.api.message.GroupNotify;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.PneInfo;
import io.cpns.api.server.RegisteredPn;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.ServiceGroup;
import io.cpns.crypto.Bytes;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Group Key delivery from the Server to the PN GWs whose PNs hold members (TS §5.3.2 "deliver",
 * seed 003 B.2.1): push sends the key itself; pull sends a notification and the PN GW asks for
 * the key. A PN GW that is not connected is skipped and logged: it catches up with
 * {@code group.sync.req} when its link is back.
 * A group's Group Key Manager (seed 003 §5.3.2) is only notified: it created the key, and gives it
 * to its own member PNEs directly.
 *
 * <p>A group may require a minimum protection of its members' links (seed 003: "CPNS Server may
 * check security level within PN"): a member whose link, as its PN GW reported it when the PN was
 * last registered, is below it is left out of what its PN GW is told, so that PN GW neither gets
 * the key for it nor hands it one.
 */
final class GroupDelivery {
    private final PnRegistry pns;
    private final Supplier<ServerEndpoint> endpoint;
    private final Logger log;
    private final boolean push;
    private final Duration timeout;

    GroupDelivery(PnRegistry pns, Supplier<ServerEndpoint> endpoint, Logger log, boolean push, Duration timeout) {
        this.pns = pns;
        this.endpoint = endpoint;
        this.log = log;
        this.push = push;
        this.timeout = timeout;
    }

    /** The PNEs in the PNs of one PN GW. */
    Set<EntityId> pnesAt(EntityId gateway) {
        Set<EntityId> there = new java.util.HashSet<>();
        pns.pnsOfGateway(gateway).forEach(pn -> there.addAll(pn.members()));
        return there;
    }

    /**
     * {@code members} (of the group, at PN GW {@code gateway}) without those whose recorded link
     * protection is below the group's minimum; one warning names those left out.
     */
    List<String> deliverable(ServiceGroup g, List<String> members, EntityId gateway) {
        if (g.minProtection() == LinkProtection.NONE || members.isEmpty()) {
            return members;
        }
        List<String> out = new java.util.ArrayList<>();
        List<String> withheld = new java.util.ArrayList<>();
        for (String m : members) {
            Optional<PneInfo> info = pns.pneInfo(EntityId.of(m));
            if (info.map(i -> i.meets(g.minProtection())).orElse(false)) {
                out.add(m);
            } else {
                withheld.add(m + " (" + info.flatMap(PneInfo::linkProtection).map(LinkProtection::wire).orElse("unknown") + ")");
            }
        }
        if (!withheld.isEmpty()) {
            log.warn("Service Group {} requires link protection {} (seed 003): Group Key epoch {} withheld from {} at PN GW {}: {}",
                    g.groupId(), g.minProtection().wire(), g.epoch(), withheld.size(), gateway, String.join(", ", withheld));
        }
        return out;
    }

    /**
     * A member asking the Server itself ({@code group.key.req} relayed end to end under its SK_PNE,
     * so the answer reaches only that PNE): if its recorded protection is below the group's minimum,
     * it is told so, with both levels; otherwise nothing happens here.
     *
     * @throws CpnsException {@code INSUFFICIENT_PROTECTION}
     */
    void tellWhyWithheld(EntityId pne, ServiceGroup g) {
        if (g == null || g.minProtection() == LinkProtection.NONE || !g.hasMember(pne)) {
            return;
        }
        Optional<PneInfo> info = pns.pneInfo(pne);
        if (!info.map(i -> i.meets(g.minProtection())).orElse(false)) {
            throw new CpnsException(io.cpns.api.ErrorCode.INSUFFICIENT_PROTECTION, "Service Group " + g.groupId()
                    + " requires link protection " + g.minProtection().wire() + "; " + pne + " was last registered with "
                    + info.flatMap(PneInfo::linkProtection).map(LinkProtection::wire).orElse("unknown")
                    + ": establish its PN again over a better protected link");
        }
    }

    /** The group's members among {@code pnes} (those of one PN GW), sorted: what that PN GW is told. */
    static List<String> membersAmong(ServiceGroup g, Set<EntityId> pnes) {
        return g.members().stream().filter(pnes::contains).map(EntityId::value).sorted().toList();
    }

    /** The group's members in the PNs of each PN GW that holds any of {@code entities}, by PN GW. */
    Map<EntityId, List<String>> membersByGateway(ServiceGroup g, Collection<EntityId> entities) {
        Map<EntityId, Set<String>> by = new TreeMap<>(java.util.Comparator.comparing(EntityId::value));
        for (RegisteredPn pn : pns.pns()) {
            if (pn.members().stream().anyMatch(entities::contains)) {
                Set<String> at = by.computeIfAbsent(pn.gateway(), k -> new LinkedHashSet<>());
                pn.members().stream().filter(g::hasMember).map(EntityId::value).forEach(at::add);
            }
        }
        Map<EntityId, List<String>> out = new TreeMap<>(java.util.Comparator.comparing(EntityId::value));
        by.forEach((gw, m) -> out.put(gw, m.stream().sorted().toList()));
        return out;
    }

    /**
     * Tells every PN GW concerned: those of the members, and of {@code departed} (so it forgets
     * it). {@code key} is the epoch's Group Key; this method wipes nothing it does not own.
     */
    void deliver(ServiceGroup g, byte[] key, Collection<EntityId> departed) {
        ServerEndpoint ep = endpoint.get();
        if (ep == null) {
            log.warn("Service Group {} epoch {}: no endpoint, PN GWs will ask when they connect", g.groupId(), g.epoch());
            return;
        }
        Set<EntityId> concerned = new LinkedHashSet<>(g.members());
        concerned.addAll(departed);
        membersByGateway(g, concerned).forEach((gw, all) -> {
            List<String> members = deliverable(g, all, gw);
            var msg = push && !members.isEmpty() && !gw.equals(g.keyManager()) ? new GroupKeyPush(g.groupId(), g.epoch(), members, key.clone())
                    : new GroupNotify(g.groupId(), g.epoch(), members, false);
            ep.request(gw, msg, timeout).whenComplete((r, x) -> {
                if (msg instanceof GroupKeyPush p) {
                    Bytes.wipe(p.groupKey());
                }
                if (x != null) {
                    log.info("Service Group {} epoch {}: PN GW {} not reached ({}); it catches up when its link is back", g.groupId(), g.epoch(),
                            gw, Failures.cause(x));
                } else {
                    log.debug("Service Group {} epoch {} {} to PN GW {} ({} members)", g.groupId(), g.epoch(),
                            push ? "pushed" : "notified", gw, members.size());
                }
            });
        });
    }

    /** The group is gone: every PN GW that held members forgets it and its key. */
    void deleted(ServiceGroup g) {
        ServerEndpoint ep = endpoint.get();
        if (ep == null) {
            log.warn("Service Group {} deleted: no endpoint, its PN GWs catch up when their links are next up", g.groupId());
            return;
        }
        membersByGateway(g, g.members()).keySet().forEach(gw ->
                ep.request(gw, new GroupNotify(g.groupId(), g.epoch(), List.of(), true), timeout));
    }
}
