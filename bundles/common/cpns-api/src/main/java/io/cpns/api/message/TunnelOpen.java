package io.cpns.api.message;

/**
 * A PNE asks its PN GW to open a byte tunnel to the CPNS Server's bootstrap endpoint. The PNE runs
 * server-authenticated TLS through it for EUKey assignment with User ID and password (TS §5.3.1):
 * neither the PAN nor the PN GW sees the password or the key. One tunnel at a time per PNE link
 * ({@code UNEXPECTED_MESSAGE} while one is open), at most {@code maxTunnels} on the PN GW
 * ({@code UNAVAILABLE}).
 */
public record TunnelOpen() implements Message {
}
