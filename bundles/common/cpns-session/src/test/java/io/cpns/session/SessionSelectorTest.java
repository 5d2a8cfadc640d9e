package io.cpns.session;

import static io.cpns.api.EntityKind.GATEWAY;
import static io.cpns.api.EntityKind.PNE;
import static io.cpns.api.EntityKind.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cpns.api.EntityKind;
import io.cpns.session.SessionSelector.Pair;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** TS §5.3.3.1, every ordered pair of entity kinds. */
class SessionSelectorTest {
    private static void expect(EntityKind src, EntityKind dst, Pair pair) {
        assertEquals(Optional.ofNullable(pair), SessionSelector.select(src, dst), src + " -> " + dst);
    }

    @Test
    void serverAndPne_useTheServerPneSession_bothWays() {
        expect(SERVER, PNE, Pair.SERVER_PNE);
        expect(PNE, SERVER, Pair.SERVER_PNE);
    }

    @Test
    void serverAndGateway_useTheServerGatewaySession_bothWays() {
        expect(SERVER, GATEWAY, Pair.SERVER_GATEWAY);
        expect(GATEWAY, SERVER, Pair.SERVER_GATEWAY);
    }

    @Test
    void gatewayAndPne_useTheGatewayPneSession_bothWays() {
        expect(GATEWAY, PNE, Pair.GATEWAY_PNE);
        expect(PNE, GATEWAY, Pair.GATEWAY_PNE);
    }

    @Test
    void sameKindPairs_haveNoSessionOfTheirOwn() {
        expect(PNE, PNE, null);
        expect(GATEWAY, GATEWAY, null);
        expect(SERVER, SERVER, null);
    }
}
