package io.cpns.gw.mqtt;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[utf8.remaining()];
        utf8.get(bytes);
        try {
            return new Grant(sha256(bytes), Set.copyOf(topics));
        } finally {
            Arrays.fill(bytes, (byte) 0);
            Arrays.fill(utf8.array(), (byte) 0);
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
        return g != null && password != null && MessageDigest.isEqual(g.digest, sha256(password));
    }

    boolean mayRead(String user, String topic) {
        Grant g = user == null ? null : byUser.get(user);
        return g != null && g.topics.contains(topic);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
