package io.cpns.api.server;

import io.cpns.api.EntityId;
import io.cpns.api.LinkProtection;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * PNE Info as the Server last received it in a PN Registration in which the PNE authenticated
 * (seed 004 step 4 and step 10): the PN GW that registered it, its Device Capabilities, and the
 * protection of its link to that PN GW, on which the Server checks the security level within the
 * PN before it delivers a Group Key (seed 003).
 *
 * @param protection null if that PN GW did not report it (an older PN GW): meets no minimum but {@code none}
 */
public record PneInfo(EntityId pne, EntityId gateway, Map<String, String> capabilities, LinkProtection protection, Instant reported) {
    public PneInfo {
        capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
    }

    public Optional<LinkProtection> linkProtection() {
        return Optional.ofNullable(protection);
    }

    /** Whether the recorded protection meets {@code minimum} (nothing recorded meets only {@code none}). */
    public boolean meets(LinkProtection minimum) {
        return (protection == null ? LinkProtection.NONE : protection).satisfies(minimum);
    }
}
