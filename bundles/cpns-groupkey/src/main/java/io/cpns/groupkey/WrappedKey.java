package io.cpns.groupkey;

import java.util.Objects;

/**
 * Key {@code node} at {@code version}, AES key wrapped (RFC 3394) under key {@code underNode} at
 * {@code underVersion}: whoever holds that key can open it.
 */
public record WrappedKey(int node, int version, int underNode, int underVersion, byte[] wrapped) {
    public WrappedKey {
        Objects.requireNonNull(wrapped, "wrapped");
    }
}
