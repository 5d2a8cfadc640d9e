package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/** PN Establishment Notify, PN GW to a PNE that joined (seed 004 §5.2.1.1 step 15, §5.2.1.2 steps 15-16). */
public record PnEstablishNotify(String pnId, List<PnMember> inventory, byte[] hashServer) implements Message {
    public PnEstablishNotify {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(hashServer, "hashServer");
        inventory = Maps.of(inventory);
    }
}
