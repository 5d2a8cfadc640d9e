package io.cpns.gw.groupkey;

import io.cpns.api.gateway.MemberDelivery;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What the operator sees per member ({@code gw:group}): in memory, rebuilt as deliveries happen. */
final class DeliveryStatus {
    private final Map<String, Map<String, MemberDelivery>> byGroup = new ConcurrentHashMap<>();

    /** An older epoch's outcome (a slow acknowledgement) never hides a newer one's. */
    void set(String groupId, String pne, String mode, long epoch, String status) {
        MemberDelivery now = new MemberDelivery(pne, mode, epoch, status, Instant.now());
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
    }

    List<MemberDelivery> of(String groupId) {
        return byGroup.getOrDefault(groupId, Map.of()).values().stream().sorted(Comparator.comparing(MemberDelivery::pneId)).toList();
    }
}
