package io.cpns.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Protected;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TS §5.3.3.1.1 "Message protection": MAC and encryption with the session key. */
class SecureSessionTest {
    static final EntityId GW = HandshakeTest.GW;
    static final EntityId SRV = HandshakeTest.SRV;
    final MessageCodec codec = new MessageCodec();
    SecureSession gw;
    SecureSession srv;

    @BeforeEach
    void establish() {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), GW, SRV, psk);
        ResponderHandshake r = new ResponderHandshake(Suites.modern(), SRV, GW, psk, i.rand());
        ResponderHandshake.Result res = r.verify(i.prove(r.rand()));
        gw = i.confirm(res.proof());
        srv = res.session();
    }

    private Envelope ping(long id, byte... data) {
        return new Envelope(GW, SRV, id, new Ping(data));
    }

    @Test
    void bothDirections_roundTrip_andTheCiphertextHidesThePayload() {
        byte[] secret = "a secret payload".getBytes();
        Envelope p = gw.protect(ping(5, secret), codec);
        assertEquals(-1, new String(((Protected) p.body()).ct(), java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("secret"));
        assertArrayEquals(secret, ((Ping) srv.unprotect(p, codec).body()).data());
        Envelope back = srv.protect(new Envelope(SRV, GW, 5, new Ping(new byte[] {1})), codec);
        assertArrayEquals(new byte[] {1}, ((Ping) gw.unprotect(back, codec).body()).data());
        assertEquals(1, srv.received());
        assertEquals(1, gw.sent());
    }

    @Test
    void replayedMessage_isReplay() {
        Envelope p = gw.protect(ping(1), codec);
        srv.unprotect(p, codec);
        assertEquals(ErrorCode.REPLAY, assertThrows(CpnsException.class, () -> srv.unprotect(p, codec)).code());
    }

    @Test
    void olderCounterAfterNewer_isReplay() {
        Envelope first = gw.protect(ping(1), codec);
        Envelope second = gw.protect(ping(2), codec);
        srv.unprotect(second, codec);
        assertEquals(ErrorCode.REPLAY, assertThrows(CpnsException.class, () -> srv.unprotect(first, codec)).code());
    }

    @Test
    void flippedCiphertextBit_isBadMac_andDoesNotAdvanceTheCounter() {
        Envelope p = gw.protect(ping(1), codec);
        Protected body = (Protected) p.body();
        byte[] ct = body.ct().clone();
        ct[0] ^= 1;
        Envelope forged = new Envelope(p.src(), p.dst(), p.id(), new Protected(body.seq(), ct));
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> srv.unprotect(forged, codec)).code());
        srv.unprotect(p, codec); // the genuine message still goes through
    }

    @Test
    void changedIdOrCounterInTheClear_isBadMac() {
        Envelope p = gw.protect(ping(1), codec);
        Protected body = (Protected) p.body();
        Envelope otherId = new Envelope(p.src(), p.dst(), 99, body);
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> srv.unprotect(otherId, codec)).code());
        Envelope otherSeq = new Envelope(p.src(), p.dst(), p.id(), new Protected(body.seq() + 5, body.ct()));
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> srv.unprotect(otherSeq, codec)).code());
    }

    @Test
    void messageReflectedBackToItsSender_isForbidden() {
        Envelope p = gw.protect(ping(1), codec);
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(CpnsException.class, () -> gw.unprotect(p, codec)).code());
    }

    @Test
    void unprotectedMessage_isNotAuthenticated() {
        assertEquals(ErrorCode.NOT_AUTHENTICATED, assertThrows(CpnsException.class, () -> srv.unprotect(ping(1), codec)).code());
    }

    @Test
    void closedSession_cannotOpenAnything() {
        Envelope p = gw.protect(ping(1), codec);
        srv.close();
        assertEquals(ErrorCode.NOT_AUTHENTICATED, assertThrows(CpnsException.class, () -> srv.unprotect(p, codec)).code());
        assertEquals(ErrorCode.NOT_AUTHENTICATED,
                assertThrows(CpnsException.class, () -> srv.protect(new Envelope(SRV, GW, 1, new Ping(null)), codec)).code());
    }
}
