package io.cpns.server.update.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The order in which a rollout reaches its targets: by SHA-256 over {@code rolloutId ‖ 0x00 ‖
 * gatewayId} (UTF-8), as an unsigned big-endian number, ties by gateway ID. Anyone holding the
 * rollout ID and the target list computes the same waves; another rollout mixes the fleet anew,
 * so the same gateways are not always the canaries.
 */
public final class Membership {
    private Membership() {
    }

    public static List<String> order(String rolloutId, Collection<String> gateways) {
        record Keyed(String gateway, byte[] key) {
        }
        List<Keyed> keyed = new ArrayList<>(gateways.size());
        MessageDigest sha = sha256();
        byte[] prefix = (rolloutId + "\u0000").getBytes(StandardCharsets.UTF_8);
        for (String g : new java.util.TreeSet<>(gateways)) {
            sha.update(prefix);
            keyed.add(new Keyed(g, sha.digest(g.getBytes(StandardCharsets.UTF_8))));
        }
        keyed.sort(Comparator.comparing(Keyed::key, java.util.Arrays::compareUnsigned).thenComparing(Keyed::gateway));
        return keyed.stream().map(Keyed::gateway).toList();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java SE has SHA-256", e);
        }
    }
}
