package io.cpns.api.gateway;

import io.cpns.api.LinkProtection;
import java.time.Instant;
import java.util.Objects;

/**
 * A PNE's current link to this PN GW, as flows and operators see it.
 *
 * @param pneId         the PNE's Entity ID (claimed until {@code authenticated})
 * @param adapter       PAN adapter id
 * @param remote        remote address on the PAN
 * @param authenticated the PNE's identity is proven on this link: PSK-TLS, the message-level secure
 *                      session, or a PAN that protects messages itself (so never with {@code NONE})
 * @param protection    what protects the link's messages (TS §5.3.3.1); {@link #protectionName()} is its wire name
 * @param since         when the link came up
 */
public record PneLink(String pneId, String adapter, String remote, boolean authenticated, LinkProtection protection, Instant since) {

    public PneLink {
        Objects.requireNonNull(protection, "protection");
        if (authenticated && !protection.isProtected()) { // each way of proving the identity also protects the link
            throw new IllegalArgumentException("an authenticated link is protected: " + pneId + " on " + adapter);
        }
    }

    /**
     * The one rule for "may this link carry keys, relays to the CPNS Server, Key Assignment messages,
     * the PN Inventory" (TS §5.3.3.1): the PN GW-PNE secure session or a secure PAN protects it.
     */
    public boolean isProtected() {
        return protection.isProtected();
    }

    /** TS §5.3.3.2 condition 1: the PNE is on a secure PAN (Group Key protection may be left out, with condition 2). */
    public boolean onSecurePan() {
        return protection.isSecurePan();
    }

    /** The protection's wire name: {@code none}, {@code pan}, {@code session} or {@code tls}. */
    public String protectionName() {
        return protection.wire();
    }
}
