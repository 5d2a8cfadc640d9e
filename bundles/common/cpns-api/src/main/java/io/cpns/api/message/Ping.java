package io.cpns.api.message;

/** Liveness check through a secure session; answered with {@link Pong} carrying the same data. */
public record Ping(byte[] data) implements Message {
    public Ping {
        data = data == null ? new byte[0] : data;
    }
}
