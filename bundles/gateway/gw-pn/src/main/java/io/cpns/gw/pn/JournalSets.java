package io.cpns.gw.pn;

import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * Small journals in the secret store (it writes atomically and survives a power cut): a set of
 * names under {@code <prefix><key>}, one a line. A record that no longer reads back is set aside
 * and reported once to {@code unreadable} (the key, where it went), and counts as empty.
 */
final class JournalSets {
    private final SecretStore secrets;
    private final String prefix;
    private final BiConsumer<String, Optional<String>> unreadable;

    JournalSets(SecretStore secrets, String prefix, BiConsumer<String, Optional<String>> unreadable) {
        this.secrets = secrets;
        this.prefix = prefix;
        this.unreadable = unreadable;
    }

    synchronized void add(String key, Collection<String> names) {
        if (names.isEmpty()) {
            return;
        }
        Set<String> all = get(key);
        if (all.addAll(names)) {
            write(key, all);
        }
    }

    synchronized boolean remove(String key, String name) {
        Set<String> all = get(key);
        if (!all.remove(name)) {
            return false;
        }
        write(key, all);
        return true;
    }

    synchronized void delete(String key) {
        secrets.delete(prefix + key);
    }

    synchronized Set<String> get(String key) {
        try {
            return secrets.get(prefix + key).map(b -> {
                try {
                    return Arrays.stream(new String(b, StandardCharsets.UTF_8).split("\n")).filter(s -> !s.isEmpty())
                            .collect(Collectors.toCollection(TreeSet::new));
                } finally {
                    Arrays.fill(b, (byte) 0);
                }
            }).orElseGet(TreeSet::new);
        } catch (CorruptSecretException e) {
            unreadable.accept(key, secrets.quarantine(prefix + key));
            return new TreeSet<>();
        }
    }

    /** Every record that is not empty, by key. */
    synchronized Map<String, Set<String>> all() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String alias : new TreeSet<>(secrets.aliases(prefix))) {
            String key = alias.substring(prefix.length());
            Set<String> names = get(key);
            if (!names.isEmpty()) {
                out.put(key, names);
            }
        }
        return out;
    }

    private void write(String key, Set<String> names) {
        if (names.isEmpty()) {
            secrets.delete(prefix + key);
        } else {
            secrets.put(prefix + key, String.join("\n", names).getBytes(StandardCharsets.UTF_8));
        }
    }
}
