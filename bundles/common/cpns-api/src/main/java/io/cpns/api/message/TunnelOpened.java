package io.cpns.api.message;

/** The tunnel is open: {@code tunnel.data} may flow both ways. */
public record TunnelOpened() implements Message {
}
