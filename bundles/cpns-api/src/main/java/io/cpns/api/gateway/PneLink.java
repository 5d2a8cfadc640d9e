package io.cpns.api.gateway;

import java.time.Instant;

/**
 * A PNE's current link to this PN GW, as flows and operators see it.
 *
 * @param pneId         the PNE's Entity ID (claimed until {@code authenticated})
 * @param adapter       PAN adapter id
 * @param remote        remote address on the PAN
 * @param authenticated the PNE's identity is proven on this link: PSK-TLS, the message-level secure
 *                      session, or a PAN that protects messages itself
 * @param protection    {@code pan} (secure PAN), {@code tls}, {@code session} or {@code none}
 * @param since         when the link came up
 */
public record PneLink(String pneId, String adapter, String remote, boolean authenticated, String protection, Instant since) {
}
