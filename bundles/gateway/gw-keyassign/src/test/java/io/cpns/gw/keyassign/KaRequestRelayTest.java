package io.cpns.gw.keyassign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaResponse;
import io.cpns.crypto.Randoms;
import org.junit.jupiter.api.Test;

/** {@code ka.req} (seed 001 §7.x.2.3.2) through {@link KeyAssignmentGateway#handle}: it reaches the Server only from a protected link. */
class KaRequestRelayTest {
    final KaFixture f = new KaFixture();
    final KaRequest request = new KaRequest("pne-sensor", "alice", "modern-v1", Randoms.bytes(16), 1_700_000_000L, Randoms.bytes(32));

    @Test
    void refusedOnAnUnprotectedLink() {
        CpnsException e = assertThrows(CpnsException.class,
                () -> f.gateway.handle(KaFixture.from(EntityId.of("pne-sensor"), LinkProtection.NONE, request)));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertTrue(f.server.idle(), "nothing relayed");
    }

    @Test
    void relayedFromASecurePan() throws Exception {
        var answer = f.gateway.handle(KaFixture.from(EntityId.of("pne-sensor"), LinkProtection.PAN, request));
        KaResponse r = new KaResponse(Randoms.bytes(16), Randoms.bytes(40), Randoms.bytes(32));
        f.server.next(KaRequest.class, m -> r);
        assertEquals(r, KaFixture.await(answer));
    }
}
