package io.cpns.gw.pan;

import io.cpns.api.store.SecretStore;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** A SecretStore in memory: copies in, copies out, like the real one. */
final class MemorySecrets implements SecretStore {
    private final Map<String, byte[]> secrets = new ConcurrentHashMap<>();

    @Override
    public Optional<byte[]> get(String alias) {
        byte[] s = secrets.get(alias);
        return s == null ? Optional.empty() : Optional.of(s.clone());
    }

    @Override
    public void put(String alias, byte[] secret) {
        secrets.put(alias, secret.clone());
    }

    @Override
    public boolean delete(String alias) {
        return secrets.remove(alias) != null;
    }

    @Override
    public Set<String> aliases(String prefix) {
        return secrets.keySet().stream().filter(a -> a.startsWith(prefix)).collect(Collectors.toSet());
    }
}
