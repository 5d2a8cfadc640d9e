package io.cpns.gw.mqtt;

import io.cpns.crypto.Bytes;
import io.cpns.crypto.Primitives;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the PN GW granted each MQTT user: a SHA-256 digest of its password (never the password)
 * and the topic names it may read. Unsalted is enough: the PN GW generates these passwords, they
 * are random and live in memory only.
 */
final class Grants {
    record Grant(byte[] digest, Set<String> topics) {
        /** Whether moving from this grant to {@code next} must end a live connection. */
        boolean narrowedBy(Grant next) {
            return !next.topics.containsAll(topics) || !MessageDigest.isEqual(digest, next.digest);
        }
    }

    private final Map<String, Grant> byUser = new ConcurrentHashMap<>();

    static Grant of(char[] password, Set<String> topics) {
        byte[] bytes = Bytes.utf8(password);
        try {
            return new Grant(Primitives.sha256(bytes), Set.copyOf(topics));
        } finally {
            Bytes.wipe(bytes);
        }
    }

    Optional<Grant> get(String user) {
        return Optional.ofNullable(byUser.get(user));
    }

    /** The grant replaced, if any. */
    Optional<Grant> put(String user, Grant grant) {
        return Optional.ofNullable(byUser.put(user, grant));
    }

    void remove(String user) {
        byUser.remove(user);
    }

    boolean authenticates(String user, byte[] password) {
        Grant g = user == null ? null : byUser.get(user);
        return g != null && password != null && MessageDigest.isEqual(g.digest, Primitives.sha256(password));
    }

    boolean mayRead(String user, String topic) {
        Grant g = user == null ? null : byUser.get(user);
        return g != null && g.topics.contains(topic);
    }
}
