package io.cpns.api.message;

/** Either end closes the tunnel. */
public record TunnelClose(String reason) implements Message {
    public TunnelClose {
        reason = reason == null ? "" : reason;
    }
}
