package io.cpns.gw.groupkey;

import io.cpns.api.gateway.MemberDelivery;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the operator sees per member ({@code gw:group}): in memory, rebuilt as deliveries happen;
 * and how many Group Keys came from the Server and went to each member (seed 003 B.2.1's
 * "unnecessary communication", counted where it is sent and received).
 */
final class DeliveryStatus {
    private final Map<String, Map<String, MemberDelivery>> byGroup = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> fromServer = new ConcurrentHashMap<>();
    private final Map<String, Map<String, AtomicLong>> toPnes = new ConcurrentHashMap<>();

    /** A Group Key of the group came from the Server (push, or the answer to a pull). */
    void fromServer(String groupId) {
        fromServer.computeIfAbsent(groupId, g -> new AtomicLong()).incrementAndGet();
    }

    /** A Group Key (or a key tree holding it) was sent to a member. */
    void sent(String groupId, String pne) {
        toPnes.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>()).computeIfAbsent(pne, p -> new AtomicLong()).incrementAndGet();
    }

    long fromServerCount(String groupId) {
        AtomicLong n = fromServer.get(groupId);
        return n == null ? 0 : n.get();
    }

    Map<String, Long> sentCounts(String groupId) {
        Map<String, Long> out = new java.util.TreeMap<>();
        toPnes.getOrDefault(groupId, Map.of()).forEach((p, n) -> out.put(p, n.get()));
        return out;
    }

    /** An older epoch's outcome (a slow acknowledgement) never hides a newer one's. */
    void set(String groupId, String pne, MemberDelivery.Mode mode, long epoch, MemberDelivery.Status status) {
        put(groupId, new MemberDelivery(pne, mode, epoch, status, null, Instant.now()));
    }

    /** The member's delivery of {@code epoch} failed for {@code why}. */
    void failed(String groupId, String pne, MemberDelivery.Mode mode, long epoch, String why) {
        put(groupId, MemberDelivery.failed(pne, mode, epoch, why, Instant.now()));
    }

    private void put(String groupId, MemberDelivery now) {
        String pne = now.pneId();
        byGroup.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>()).merge(pne, now, (old, x) -> old.epoch() > x.epoch() ? old : x);
    }

    /** Keeps only {@code members}' entries (a member that left is no longer reported). */
    void retain(String groupId, List<String> members) {
        Map<String, MemberDelivery> m = byGroup.get(groupId);
        if (m != null) {
            m.keySet().retainAll(members);
        }
    }

    void forget(String groupId) {
        byGroup.remove(groupId);
        fromServer.remove(groupId);
        toPnes.remove(groupId);
    }

    List<MemberDelivery> of(String groupId) {
        return byGroup.getOrDefault(groupId, Map.of()).values().stream().sorted(Comparator.comparing(MemberDelivery::pneId)).toList();
    }
}
