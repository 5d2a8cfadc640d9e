package io.cpns.api.message;

/** Answer to {@link Ping}. */
public record Pong(byte[] data) implements Message {
    public Pong {
        data = data == null ? new byte[0] : data;
    }
}
