package io.cpns.session.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cpns.crypto.Randoms;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;

/**
 * Which offered PSK identity the server accepts. Review finding: an identity offered with a non-zero
 * ticket age was looked up and reported as authenticated, although Bouncy Castle then fell back to
 * a certificate handshake without ever checking a binder for it.
 */
class CpnsTlsServerTest {
    private final AtomicInteger lookups = new AtomicInteger();
    private final PskLookup lookup = id -> {
        lookups.incrementAndGet();
        return id.startsWith("gw-") ? Randoms.bytes(32) : null;
    };

    private static Vector<PskIdentity> offered(PskIdentity... ids) {
        return new Vector<>(List.of(ids));
    }

    private static PskIdentity id(String s, long age) {
        return new PskIdentity(s.getBytes(StandardCharsets.UTF_8), age);
    }

    private CpnsTlsServer server() {
        return new CpnsTlsServer(new BcTlsCrypto(Randoms.secureRandom()), lookup, null);
    }

    @Test
    void externalPskWithTicketAgeZero_isOffered_andRecorded() {
        CpnsTlsServer s = server();
        assertNotNull(s.getExternalPSK(offered(id("gw-1", 0))));
        assertEquals("gw-1", s.selectedIdentity());
    }

    @Test
    void identityWithANonZeroTicketAge_isNeverLookedUp_norRecorded() {
        CpnsTlsServer s = server();
        assertNull(s.getExternalPSK(offered(id("gw-1", 12345))));
        assertNull(s.selectedIdentity());
        assertEquals(0, lookups.get());
    }

    @Test
    void onlyTheFirstIdentityIsConsidered_oneLookupPerClientHello() {
        CpnsTlsServer s = server();
        Vector<PskIdentity> many = new Vector<>();
        many.add(id("unknown", 0));
        for (int i = 0; i < 1000; i++) {
            many.add(id("gw-" + i, 0));
        }
        assertNotNull(s.getExternalPSK(many), "a decoy PSK for the unknown first identity");
        assertNull(s.selectedIdentity(), "a decoy selects no identity");
        assertEquals(1, lookups.get());
    }

    /** Issue 10: an unknown identity must fail like a wrong key, so it gets a PSK too, one nobody has. */
    @Test
    void unknownIdentity_getsADecoyPsk_inTls13AndTls12_neverAnIdentity() {
        CpnsTlsServer s = server();
        var decoy = s.getExternalPSK(offered(id("stranger", 0)));
        assertNotNull(decoy);
        assertEquals("stranger", new String(decoy.getIdentity(), StandardCharsets.UTF_8));
        assertNull(s.selectedIdentity());
        byte[] a = s.getPSKIdentityManager().getPSK("stranger".getBytes(StandardCharsets.UTF_8));
        byte[] b = server().getPSKIdentityManager().getPSK("stranger".getBytes(StandardCharsets.UTF_8));
        assertEquals(32, a.length);
        assertFalse(java.util.Arrays.equals(a, b), "a fresh random key each time");
    }
}
