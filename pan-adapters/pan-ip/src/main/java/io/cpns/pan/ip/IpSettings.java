package io.cpns.pan.ip;

/** pan-ip configuration. */
record IpSettings(String host, int port, String advertise, boolean secure, boolean tls12Psk, String discoveryGroup,
                  int discoveryPort, String discoveryInterface, int announceSeconds, int maxFrameBytes,
                  int handshakeTimeoutMillis, int firstFrameTimeoutMillis, int idleTimeoutMillis, int maxConnections,
                  int maxUnauthenticatedPerAddress, int handshakeFailuresFree, int handshakeBackoffMillis,
                  int discoveryAnswersPerSource, int discoveryAnswersTotal, int bindRetryMillis) {

    /** How often connection deadlines are checked: a tenth of the shortest, within 10 ms to 1 s. */
    long sweepMillis() {
        long shortest = Math.min(handshakeTimeoutMillis, Math.min(firstFrameTimeoutMillis, idleTimeoutMillis));
        return Math.max(10, Math.min(1000, shortest / 10));
    }
}
