package io.cpns.pan.udp;

/** The adapter's configuration, checked once (PID {@code cpns.pan.udp}). */
record UdpSettings(String host, int port, String advertise, int maxFrameBytes, int idleTimeoutSeconds, int maxPeers,
        int discoveryAnswersPerMinute, int bindRetryMillis) {
    /** The largest UDP payload over IPv4: a bigger frame cannot be one datagram. */
    static final int MAX_DATAGRAM = 65507;

    UdpSettings {
        if (maxFrameBytes < 1 || maxFrameBytes > MAX_DATAGRAM) {
            throw new IllegalArgumentException("maxFrameBytes must be 1.." + MAX_DATAGRAM + ": " + maxFrameBytes);
        }
        if (idleTimeoutSeconds < 1 || maxPeers < 1 || bindRetryMillis < 1 || port < 0 || port > 65535
                || discoveryAnswersPerMinute < 0) {
            throw new IllegalArgumentException("idleTimeoutSeconds, maxPeers and bindRetryMillis must be positive, port "
                    + "0..65535, discoveryAnswersPerMinute not negative");
        }
    }
}
