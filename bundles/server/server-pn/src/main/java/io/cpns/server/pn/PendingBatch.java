package io.cpns.server.pn;

import io.cpns.api.EntityId;
import io.cpns.session.ResponderHandshake;
import java.time.Instant;
import java.util.Map;

/**
 * A PN Registration batch between the Authentication request (seed 004 step 5) and the
 * Authentication responses (step 10): the Server's half of each PNE's handshake, bound to the one
 * rand_server the batch carried, and each PNE's Device Capabilities (step 4), kept once it authenticates.
 */
record PendingBatch(EntityId gateway, String pnId, int batch, Map<EntityId, ResponderHandshake> handshakes,
                    Map<EntityId, Map<String, String>> capabilities, Instant expires) {
    void destroy() {
        handshakes.values().forEach(ResponderHandshake::destroy);
    }
}
