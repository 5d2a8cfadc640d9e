package io.cpns.gw.pan;

import java.time.Duration;
import java.util.Set;

/** gw-pan configuration, validated once. */
record Settings(Duration handshakeTimeout, Duration tunnelIdle, Duration tunnelConnectTimeout, int maxTunnels,
                int tunnelMaxBytes, Set<String> suites, Duration handlerWait) {
}
