package io.cpns.groupkey;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * Key {@code node} at {@code version}, AES key wrapped (RFC 3394) under key {@code underNode} at
 * {@code underVersion}: whoever holds that key can open it. On the wire a CBOR array of the five
 * fields in this order (a Rekey carries dozens of them, so no field names).
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"node", "version", "underNode", "underVersion", "wrapped"})
public record WrappedKey(int node, int version, int underNode, int underVersion, byte[] wrapped) {
    public WrappedKey {
        Objects.requireNonNull(wrapped, "wrapped");
    }
}
