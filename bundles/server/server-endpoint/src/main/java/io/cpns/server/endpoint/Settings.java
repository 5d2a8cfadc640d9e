package io.cpns.server.endpoint;

import io.cpns.api.EntityId;
import java.util.Set;

/** The endpoint's configuration, validated once. */
record Settings(EntityId serverId, Set<String> suites, int handshakeTimeoutMillis, int idleTimeoutMillis,
                int maxFrameBytes) {
}
