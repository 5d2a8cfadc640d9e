package io.cpns.gw.pan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.testkit.PeerInput;

/**
 * Coverage-guided fuzzing (Jazzer) of the discovery datagram (docs/security.md §10.7): whatever
 * anyone on the LAN sends to the discovery port reaches the PN GW's answer
 * ({@code PanContext.discovery}, which pan-ip's Discovery hands every datagram). It answers a
 * query with its announcement to the query's sender, and anything else with nothing; no input
 * makes it throw. Seeds: {@code DiscoveryFuzzTestInputs/datagram/}.
 */
class DiscoveryFuzzTest {
    private static final GwFixture F = new GwFixture();

    @FuzzTest
    void datagram(byte[] data) {
        byte[] reply = PeerInput.decode(data.length, () -> F.pan.context.discovery(data));
        if (reply != null) {
            Envelope query = F.codec.decode(data);
            assertInstanceOf(DiscoveryQuery.class, query.body(), "answered what is not a query");
            Envelope answer = F.codec.decode(reply);
            assertEquals(query.src(), answer.dst());
            assertEquals(GwFixture.GW, answer.src());
            assertEquals(query.id(), answer.id());
            assertInstanceOf(DiscoveryAnnounce.class, answer.body());
        }
    }
}
