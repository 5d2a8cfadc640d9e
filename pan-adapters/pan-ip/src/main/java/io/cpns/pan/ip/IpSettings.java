package io.cpns.pan.ip;

/** pan-ip configuration. */
record IpSettings(String host, int port, String advertise, boolean secure, boolean tls12Psk, String discoveryGroup,
                  int discoveryPort, String discoveryInterface, int announceSeconds, int maxFrameBytes,
                  int handshakeTimeoutMillis, int idleTimeoutMillis, int maxConnections) {
}
