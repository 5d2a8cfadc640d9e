package io.cpns.api.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.LinkProtection;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one rule for what a PNE link may carry (TS §5.3.3.1) and for a secure PAN (TS §5.3.3.2). */
class PneLinkTest {

    private static PneLink link(boolean authenticated, LinkProtection p) {
        return new PneLink("pne-tv", "ip", "/192.0.2.7:40312", authenticated, p, Instant.EPOCH);
    }

    @Test
    void aSessionTlsOrSecurePanProtectsTheLinkAndNothingElseDoes() {
        assertTrue(link(true, LinkProtection.TLS).isProtected());
        assertTrue(link(true, LinkProtection.SESSION).isProtected());
        assertTrue(link(true, LinkProtection.PAN).isProtected());
        assertTrue(link(false, LinkProtection.PAN).isProtected()); // a secure PAN before the PNE named itself
        assertFalse(link(false, LinkProtection.NONE).isProtected());
    }

    @Test
    void onlyASecurePanMeetsTheGroupKeyOmissionCondition() {
        assertTrue(link(true, LinkProtection.PAN).onSecurePan());
        assertFalse(link(true, LinkProtection.TLS).onSecurePan());
        assertFalse(link(true, LinkProtection.SESSION).onSecurePan());
        assertFalse(link(false, LinkProtection.NONE).onSecurePan());
    }

    @Test
    void anAuthenticatedLinkWithoutProtectionCannotBeBuilt() {
        assertThrows(IllegalArgumentException.class, () -> link(true, LinkProtection.NONE));
        assertThrows(NullPointerException.class, () -> link(false, null));
    }

    @Test
    void theWireNameIsDerived() {
        for (LinkProtection p : LinkProtection.values()) {
            assertEquals(p.wire(), link(p != LinkProtection.NONE, p).protectionName());
            assertEquals(p, LinkProtection.parse(link(p != LinkProtection.NONE, p).protectionName()));
        }
    }
}
