package io.cpns.testkit;

import io.cpns.api.gateway.PreAssignedKeys;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** gw-pan's pre-assigned keys (seed 004 R01) in memory, for the flows that read them; gw-pan tests its own store. */
public final class MemoryPreAssignedKeys implements PreAssignedKeys {
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

    @Override
    public void set(String pneId, byte[] key) {
        keys.put(pneId, key.clone());
    }

    @Override
    public boolean remove(String pneId) {
        return keys.remove(pneId) != null;
    }

    @Override
    public boolean has(String pneId) {
        return keys.containsKey(pneId);
    }

    @Override
    public Optional<byte[]> get(String pneId) {
        return Optional.ofNullable(keys.get(pneId)).map(byte[]::clone);
    }
}
