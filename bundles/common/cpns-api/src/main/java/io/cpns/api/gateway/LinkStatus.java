package io.cpns.api.gateway;

import java.time.Instant;

/**
 * A snapshot of the server link for operators.
 *
 * @param state             current state
 * @param gatewayId         this PN GW's Entity ID
 * @param server            host:port of the CPNS Server
 * @param suite             crypto suite of the current session, or empty
 * @param since             when the current state was entered
 * @param sessions          number of sessions authenticated since the component started
 * @param lastError         the last failure (code and text), or empty
 * @param euKeyFingerprint  a non-secret fingerprint of the stored EUKey, or empty if none
 */
public record LinkStatus(LinkState state, String gatewayId, String server, String suite, Instant since,
                         long sessions, String lastError, String euKeyFingerprint) {
}
