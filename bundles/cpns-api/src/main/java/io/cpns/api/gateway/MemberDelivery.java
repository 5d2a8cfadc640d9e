package io.cpns.api.gateway;

import java.time.Instant;

/**
 * How a member PNE of a Service Group gets its Group Key from this PN GW, and how far it got: for
 * {@code gw:group} and the box's own UI.
 *
 * @param mode   {@code broadcast} (MQTT, with the key tree) or {@code unicast} (its PNE link)
 * @param epoch  the last Group Key epoch sent to it (unicast: acknowledged; broadcast: published)
 * @param status {@code delivered}, {@code published}, {@code pending} (not connected: it gets the key when
 *               it is back) or {@code failed: <why>}
 */
public record MemberDelivery(String pneId, String mode, long epoch, String status, Instant at) {
}
