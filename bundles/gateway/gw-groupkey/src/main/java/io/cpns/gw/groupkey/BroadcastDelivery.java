package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GroupBroadcastInfo;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.MemberDelivery.Mode;
import io.cpns.api.gateway.MemberDelivery.Status;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.GroupTree;
import io.cpns.api.message.GroupTreeDeliver;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.GroupDistributor;
import io.cpns.groupkey.KeyTree;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Broadcast Group Key delivery (TS §5.3.2; docs/groupkey.md §6): per Service Group, the key tree of
 * the members that receive by MQTT, one signed broadcast per change on the group's topic
 * (retained, so a member that was away gets it when it subscribes), each newcomer welcomed by
 * unicast, each member the broker does not count as subscribed at that moment (its client between
 * two connections, as after a broker restart) sent its tree by unicast too, and the broker's grants
 * kept to exactly the groups each PNE is a member of.
 * Synchronised: one change at a time, which the trees need.
 */
final class BroadcastDelivery {
    /** Key trees wrap with AES-KW under 32-byte keys, whichever suite a PNE's link uses. */
    static final CryptoSuite SUITE = Suites.modern();

    private final TreeStore store;
    private final BroadcastKeys keys;
    private final String gatewayId;
    private final String topicPrefix;
    private final Supplier<GroupBroker> broker;
    private final Supplier<PneMessenger> pnes;
    private final DeliveryStatus status;
    private final Logger log;
    private final Duration timeout;
    private final Map<String, GroupDistributor> groups = new HashMap<>();
    private final Map<String, byte[]> retained = new HashMap<>();
    /** What the last broadcast of each group carried and when: the rest of its GroupBroadcastInfo is the tree's. */
    private record Last(int wrappedKeys, Instant at) {
    }

    private final Map<String, Last> last = new HashMap<>();

    BroadcastDelivery(TreeStore store, BroadcastKeys keys, String gatewayId, String topicPrefix, Supplier<GroupBroker> broker,
                      Supplier<PneMessenger> pnes, DeliveryStatus status, Logger log, Duration timeout) {
        this.store = store;
        this.keys = keys;
        this.gatewayId = gatewayId;
        this.topicPrefix = topicPrefix;
        this.broker = broker;
        this.pnes = pnes;
        this.status = status;
        this.log = log;
        this.timeout = timeout;
        store.loadAll().forEach((g, s) -> {
            groups.put(g, new GroupDistributor(KeyTree.restore(s.tree(), SUITE), SUITE, gatewayId, keys.signer()));
            s.tree().nodes().forEach(n -> Bytes.wipe(n.key()));
            retained.put(g, s.retained());
        });
    }

    String topic(String groupId) {
        return topicPrefix + groupId;
    }

    synchronized boolean has(String groupId, String pne) {
        GroupDistributor d = groups.get(groupId);
        return d != null && d.tree().has(pne);
    }

    synchronized Optional<GroupBroadcastInfo> info(String groupId) {
        GroupDistributor d = groups.get(groupId);
        if (d == null) {
            return Optional.empty();
        }
        Last l = last.getOrDefault(groupId, new Last(0, null)); // none since this component started
        return Optional.of(new GroupBroadcastInfo(topic(groupId), d.tree().epoch(), d.tree().size(), d.tree().height(),
                retained.getOrDefault(groupId, new byte[0]).length, l.wrappedKeys(), l.at()));
    }

    /**
     * Makes the group's tree hold exactly {@code members} and broadcasts the Group Key of
     * {@code keyEpoch} under the new tree key.
     *
     * @return whether the broadcast reached the broker (if not, the caller delivers by unicast)
     */
    synchronized boolean update(String groupId, long keyEpoch, byte[] groupKey, Set<String> members) {
        if (members.isEmpty()) {
            forget(groupId);
            return true;
        }
        GroupDistributor d = groups.computeIfAbsent(groupId, g -> new GroupDistributor(new KeyTree(g, SUITE), SUITE, gatewayId, keys.signer()));
        GroupDistributor.Change c = d.update(members, keyEpoch, groupKey);
        store.put(d.tree(), c.broadcast());
        retained.put(groupId, c.broadcast());
        last.put(groupId, new Last(c.content().wrappedKeys(), Instant.now()));
        c.joined().forEach(this::grant); // before their welcome, which tells them to connect
        List<String> followers = members.stream().filter(p -> !c.joined().contains(p)).toList();
        followers.forEach(p -> status.set(groupId, p, Mode.BROADCAST, keyEpoch, Status.PUBLISHED)); // before a member can act on it
        boolean published = publish(groupId, c.broadcast());
        List<String> away = List.of();
        if (!published) {
            followers.forEach(p -> status.failed(groupId, p, Mode.BROADCAST, keyEpoch, "broker unavailable"));
        } else {
            away = notSubscribed(groupId, followers);
            away.forEach(p -> welcome(groupId, p, keyEpoch, groupKey));
        }
        c.joined().forEach(p -> welcome(groupId, p, keyEpoch, groupKey));
        // after the publish: the departed can open nothing in it anyway, and an external broker's
        // administration (Mosquitto rewrites its dynamic-security file) need not delay the others
        c.left().forEach(this::grant);
        log.info("Service Group {}: Group Key epoch {} broadcast under tree epoch {} ({} wrapped keys, {} bytes, {} members; joined {}, "
                + "left {}; {} not subscribed now, their tree by unicast)", groupId, keyEpoch, d.tree().epoch(), c.content().wrappedKeys(),
                c.broadcast().length, members.size(), c.joined(), c.left(), away.size());
        return published;
    }

    /**
     * The followers the broadcast just published did not reach: not subscribed to the group's topic
     * now (their MQTT client is between two connections, e.g. after a broker restart), so they get
     * the tree by unicast. One who subscribes later asks for it anyway (its catch-up, served after
     * this change). None where the broker cannot tell who is subscribed (Mosquitto, which keeps the
     * broadcast as the topic's retained message for them); all if it failed to answer.
     */
    private List<String> notSubscribed(String groupId, List<String> followers) {
        GroupBroker b = broker.get();
        Optional<Set<String>> subscribed;
        try {
            subscribed = b == null ? Optional.empty() : b.subscribers(topic(groupId));
        } catch (RuntimeException e) {
            log.warn("MQTT broker cannot tell who follows {} ({}): every member gets its tree by unicast", groupId, e.toString());
            return followers;
        }
        return subscribed.map(s -> followers.stream().filter(p -> !s.contains(p)).toList()).orElse(List.of());
    }

    /** The group has no broadcast member here any more: its tree, retained message and grants go. */
    synchronized void forget(String groupId) {
        GroupDistributor d = groups.remove(groupId);
        retained.remove(groupId);
        last.remove(groupId);
        store.delete(groupId);
        if (d != null) {
            publish(groupId, new byte[0]); // an empty retained message clears the topic
            d.members().forEach(this::grant);
        }
    }

    /** A member's {@link GroupTree} (welcome or catch-up): only to a member of the tree. */
    synchronized GroupTree treeOf(String groupId, String pne, long keyEpoch, byte[] groupKey) {
        GroupDistributor d = groups.get(groupId);
        if (d == null || !d.tree().has(pne)) {
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " does not receive " + groupId + " by broadcast");
        }
        GroupBroker b = broker.get();
        if (b == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no MQTT broker on this PN GW");
        }
        char[] password = keys.password(pne);
        try {
            return new GroupTree(groupId, topic(groupId), b.uri(), pne, Bytes.utf8(password), keys.signerPublic(),
                    d.tree().leafOf(pne), d.tree().leafKey(pne), d.pathOf(pne, keyEpoch, groupKey));
        } finally {
            Bytes.wipe(password);
        }
    }

    /** Sends {@code pne} its tree by unicast, if it is connected on a protected link (else at its next link-up). */
    synchronized void welcome(String groupId, String pne, long keyEpoch, byte[] groupKey) {
        PneMessenger m = pnes.get();
        Optional<PneLink> link = m == null ? Optional.empty() : m.link(EntityId.of(pne));
        if (link.isEmpty() || !PneDelivery.protectedLink(link.get()) || broker.get() == null) {
            status.set(groupId, pne, Mode.BROADCAST, keyEpoch, Status.PENDING);
            return;
        }
        GroupTree t = treeOf(groupId, pne, keyEpoch, groupKey);
        status.sent(groupId, pne);
        m.request(EntityId.of(pne), new GroupTreeDeliver(t), timeout).whenComplete((r, x) -> {
            Bytes.wipe(t.password(), t.individualKey());
            if (x == null) {
                status.set(groupId, pne, Mode.BROADCAST, keyEpoch, Status.DELIVERED);
            } else {
                status.failed(groupId, pne, Mode.BROADCAST, keyEpoch, Failures.cause(x).getMessage());
                log.info("Group tree of {} not delivered to {}: {}", groupId, pne, Failures.cause(x));
            }
        });
    }

    /** The broker came (back): it knows nobody, so every member is granted again and every retained message published. */
    synchronized void brokerUp() {
        Set<String> everyone = new TreeSet<>();
        groups.values().forEach(d -> everyone.addAll(d.members()));
        everyone.forEach(this::grant);
        retained.forEach(this::publish);
        log.info("MQTT broker {}: {} members granted, {} retained group broadcasts published", broker.get() == null ? "?" : broker.get().uri(),
                everyone.size(), retained.size());
    }

    /** Grants {@code pne} exactly the topics of the groups whose tree holds it. */
    private void grant(String pne) {
        GroupBroker b = broker.get();
        if (b == null) {
            return;
        }
        Set<String> topics = new TreeSet<>();
        groups.forEach((g, d) -> {
            if (d.tree().has(pne)) {
                topics.add(topic(g));
            }
        });
        try {
            if (topics.isEmpty()) {
                b.revoke(pne);
            } else {
                char[] password = keys.password(pne);
                try {
                    b.grant(pne, password, topics);
                } finally {
                    Bytes.wipe(password);
                }
            }
        } catch (RuntimeException e) {
            log.warn("MQTT broker grant for {} failed: {}", pne, e.toString());
        }
    }

    private boolean publish(String groupId, byte[] payload) {
        GroupBroker b = broker.get();
        if (b == null) {
            return false;
        }
        try {
            b.publish(topic(groupId), payload, true);
            return true;
        } catch (RuntimeException e) {
            log.warn("Group broadcast of {} not published: {}", groupId, e.toString());
            return false;
        }
    }
}
