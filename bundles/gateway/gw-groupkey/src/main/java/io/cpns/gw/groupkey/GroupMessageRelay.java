package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GatewayGroup;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.GroupMsg;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.GroupMessage;
import io.cpns.groupkey.GroupOpeners;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Messages to a Service Group through this PN GW (TS §5.3.3.2). The PN GW holds the group's key,
 * so it opens every message before relaying it: a forgery, a replay or a message of another epoch
 * stops here with a typed error, and never costs the members anything. Each other member here
 * gets the sealed message, or its plaintext where the §5.3.3.2 exemption applies (secure PAN,
 * credential module); members behind other PN GWs get it through the Server. Group messages are
 * not queued: a member whose link is down misses them.
 */
final class GroupMessageRelay {
    private final Supplier<PneMessenger> pnes;
    private final Supplier<ServerLink> server;
    private final Function<String, Optional<GatewayGroup>> groups;
    private final Function<String, Optional<byte[]>> keys;
    private final Predicate<String> groupKeyRequired;
    private final Logger log;
    private final Duration timeout;
    private final GroupOpeners openers = new GroupOpeners(Suites.modern());

    GroupMessageRelay(Supplier<PneMessenger> pnes, Supplier<ServerLink> server, Function<String, Optional<GatewayGroup>> groups,
                      Function<String, Optional<byte[]>> keys, Predicate<String> groupKeyRequired, Logger log, Duration timeout) {
        this.pnes = pnes;
        this.server = server;
        this.groups = groups;
        this.keys = keys;
        this.groupKeyRequired = groupKeyRequired;
        this.log = log;
        this.timeout = timeout;
    }

    /** From a member PNE here: checked, opened, and relayed to every other member, here and elsewhere. */
    void fromPne(GroupMsg m, PneLink link) {
        if (!m.sealed() || !m.sender().equals(link.pneId())) {
            throw refused(m, ErrorCode.FORBIDDEN, "a PNE sends group messages sealed, in its own name");
        }
        GatewayGroup g = groups.apply(m.groupId()).orElseThrow(() -> refused(m, ErrorCode.UNKNOWN_GROUP, "no Service Group "
                + m.groupId() + " on this PN GW"));
        if (!g.members().contains(m.sender())) {
            throw refused(m, ErrorCode.FORBIDDEN, m.sender() + " is not a member of " + m.groupId());
        }
        relay(m, g);
        ServerLink s = server.get();
        if (s != null) { // the Server forwards it to the PN GWs of members elsewhere, if any
            s.request(m, timeout).whenComplete((r, x) -> {
                if (x != null) {
                    log.info("group message of {} to {} not passed to the Server: {}", m.sender(), m.groupId(), String.valueOf(x));
                }
            });
        }
    }

    /** From the Server: a member elsewhere (or the Server itself) sent it; relayed to the members here. */
    void fromServer(GroupMsg m) {
        if (!m.sealed()) {
            throw refused(m, ErrorCode.FORBIDDEN, "group messages between the Server and a PN GW are sealed");
        }
        relay(m, groups.apply(m.groupId()).orElseThrow(() -> refused(m, ErrorCode.UNKNOWN_GROUP, "no Service Group " + m.groupId()
                + " on this PN GW")));
    }

    void forget(String groupId) {
        openers.forget(groupId);
    }

    private void relay(GroupMsg m, GatewayGroup g) {
        byte[] plain = open(m, g);
        PneMessenger messenger = pnes.get();
        if (messenger == null) {
            return;
        }
        GroupMsg clear = new GroupMsg(m.groupId(), m.sender(), m.epoch(), m.counter(), null, plain);
        int sealed = 0;
        int plainSent = 0;
        for (String member : g.members()) {
            Optional<PneLink> l = member.equals(m.sender()) ? Optional.empty() : messenger.link(EntityId.of(member));
            if (l.isEmpty() || !PneDelivery.protectedLink(l.get())) {
                continue;
            }
            boolean keyed = groupKeyRequired.test(member);
            messenger.request(EntityId.of(member), keyed ? m : clear, timeout).whenComplete((r, x) -> {
                if (x != null) {
                    log.debug("group message of {} to {} not delivered to {}: {}", m.sender(), m.groupId(), member, String.valueOf(x));
                }
            });
            if (keyed) {
                sealed++;
            } else {
                plainSent++;
            }
        }
        log.debug("group message {}#{} of {} to {}: relayed to {} members sealed, {} in the clear (TS 5.3.3.2)", m.epoch(), m.counter(),
                m.sender(), m.groupId(), sealed, plainSent);
    }

    /** Verifies the message with the group's key of the epoch held here (REPLAY, BAD_MAC, UNEXPECTED_MESSAGE). */
    private byte[] open(GroupMsg m, GatewayGroup g) {
        try {
            return openers.open(new GroupMessage(m.groupId(), m.sender(), m.epoch(), m.counter(), m.ciphertext()), g.epoch(),
                    () -> keys.apply(g.groupId()).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Group Key of " + g.groupId())));
        } catch (CpnsException e) {
            log.warn("group message {}#{} of {} to {} refused: {} {}", m.epoch(), m.counter(), m.sender(), m.groupId(), e.code(),
                    e.getMessage());
            throw e;
        }
    }

    private CpnsException refused(GroupMsg m, ErrorCode code, String why) {
        log.warn("group message of {} to {} refused: {} {}", m.sender(), m.groupId(), code, why);
        return new CpnsException(code, why);
    }
}
