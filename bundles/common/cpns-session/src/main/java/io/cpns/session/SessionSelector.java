package io.cpns.session;

import io.cpns.api.EntityKind;
import java.util.Optional;

/**
 * TS §5.3.3.1: "Secure session used to protect CPNS message is chosen based on its source and
 * destination ID." The one place that rule lives: the PN GW's PNE links ask it which messages
 * they may carry (gw-pan {@code Link}), the Server which messages a relay may carry (server-pn),
 * and the PNE SDK which session protects a request (PNE-GW link, or SK_PNE for the Server).
 */
public final class SessionSelector {
    /** The three secure sessions of the spec. */
    public enum Pair {
        /** CPNS Server and PNE: end to end, relayed by the PN GW without decryption. */
        SERVER_PNE,
        /** CPNS Server and PN GW. */
        SERVER_GATEWAY,
        /** PN GW and PNE: LocalEUKey or pre-assigned key; not needed on a PAN that protects messages itself. */
        GATEWAY_PNE
    }

    private SessionSelector() {
    }

    /**
     * @return the session protecting a message from {@code src} to {@code dst}, or empty when the
     *         spec defines none for the pair (PNE to PNE, or an entity to one of its own kind):
     *         such messages go hop by hop through the PN GW, each hop under its own session
     */
    public static Optional<Pair> select(EntityKind src, EntityKind dst) {
        if (isPair(src, dst, EntityKind.SERVER, EntityKind.PNE)) {
            return Optional.of(Pair.SERVER_PNE);
        }
        if (isPair(src, dst, EntityKind.SERVER, EntityKind.GATEWAY)) {
            return Optional.of(Pair.SERVER_GATEWAY);
        }
        if (isPair(src, dst, EntityKind.GATEWAY, EntityKind.PNE)) {
            return Optional.of(Pair.GATEWAY_PNE);
        }
        return Optional.empty();
    }

    private static boolean isPair(EntityKind src, EntityKind dst, EntityKind a, EntityKind b) {
        return (src == a && dst == b) || (src == b && dst == a);
    }
}
