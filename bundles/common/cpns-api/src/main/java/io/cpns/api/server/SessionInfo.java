package io.cpns.api.server;

import java.time.Instant;

/**
 * One live connection to the Server ({@link ServerEndpoint#sessions()}).
 *
 * @param entityId     authenticated Entity ID, or empty while bootstrapping
 * @param userId       owning CPNS User, or empty
 * @param remote       remote address
 * @param tlsMode      {@code psk} or {@code certificate} (bootstrap)
 * @param suite        message-level suite, or empty before authentication
 * @param since        connection time
 * @param messagesIn   protected messages received
 * @param messagesOut  protected messages sent
 */
public record SessionInfo(String entityId, String userId, String remote, String tlsMode, String suite,
                          Instant since, long messagesIn, long messagesOut) {
}
