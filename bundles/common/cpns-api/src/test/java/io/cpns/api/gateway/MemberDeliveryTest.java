package io.cpns.api.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.gateway.MemberDelivery.Mode;
import io.cpns.api.gateway.MemberDelivery.Status;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What {@code gw:group} shows of a member's Group Key delivery. */
class MemberDeliveryTest {

    @Test
    void theShellShowsTheNamesItShowedAsStrings() {
        assertEquals("broadcast", Mode.BROADCAST.wire());
        assertEquals("unicast", Mode.UNICAST.wire());
        assertEquals("request", Mode.REQUEST.wire());
        assertEquals("pending", new MemberDelivery("pne-tv", Mode.UNICAST, 3, Status.PENDING, null, Instant.EPOCH).statusText());
        assertEquals("failed: broker unavailable",
                MemberDelivery.failed("pne-tv", Mode.BROADCAST, 3, "broker unavailable", Instant.EPOCH).statusText());
    }

    @Test
    void aFailureReasonGoesWithFailedOnly() {
        assertThrows(IllegalArgumentException.class, () -> new MemberDelivery("pne-tv", Mode.UNICAST, 3, Status.FAILED, null, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new MemberDelivery("pne-tv", Mode.UNICAST, 3, Status.DELIVERED, "x", Instant.EPOCH));
    }

    @Test
    void deliveredAndPublishedReachTheMember() {
        assertTrue(new MemberDelivery("p", Mode.BROADCAST, 1, Status.PUBLISHED, null, Instant.EPOCH).reached());
        assertTrue(new MemberDelivery("p", Mode.UNICAST, 1, Status.DELIVERED, null, Instant.EPOCH).reached());
        assertFalse(new MemberDelivery("p", Mode.BROADCAST, 1, Status.PENDING, null, Instant.EPOCH).reached());
        assertFalse(MemberDelivery.failed("p", Mode.BROADCAST, 1, "x", Instant.EPOCH).reached());
    }
}
