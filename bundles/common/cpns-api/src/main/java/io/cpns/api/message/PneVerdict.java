package io.cpns.api.message;

import java.util.Objects;

/** The Server's verdict on one PNE (seed 004 steps 11-12): authenticated, and hash_server if so. */
public record PneVerdict(String pneId, boolean authenticated, byte[] hashServer) {
    public PneVerdict {
        Objects.requireNonNull(pneId, "pneId");
    }
}
