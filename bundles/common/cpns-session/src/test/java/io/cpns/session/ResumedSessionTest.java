package io.cpns.session;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A session kept across restarts (SK_PNE, TS §5.3.3.1): its counters recorded before use, resumed where they stood. */
class ResumedSessionTest {
    static final EntityId PNE = EntityId.of("pne-1");
    static final EntityId SRV = HandshakeTest.SRV;
    final MessageCodec codec = new MessageCodec();

    /** Counters as a store would keep them; {@code failing} makes the store unavailable. */
    static final class Kept implements SessionCounters {
        long sendLimit;
        long received;
        final List<String> writes = new ArrayList<>();
        boolean failing;

        @Override
        public void reserveSend(long limit) {
            check();
            writes.add("send " + limit);
            sendLimit = limit;
        }

        @Override
        public void received(long seq) {
            check();
            writes.add("recv " + seq);
            received = seq;
        }

        private void check() {
            if (failing) {
                throw new CpnsException(ErrorCode.UNAVAILABLE, "store down");
            }
        }
    }

    private record Pair(SecureSession pne, byte[] sk) {
    }

    private static Pair establish() {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(Suites.modern(), PNE, SRV, psk);
        ResponderHandshake r = new ResponderHandshake(Suites.modern(), SRV, PNE, psk, i.rand());
        ResponderHandshake.Keyed k = r.verifyKeepingKey(i.prove(r.rand()));
        return new Pair(i.confirm(k.proof()), k.sessionKey());
    }

    private Envelope ping(long id) {
        return new Envelope(PNE, SRV, id, new Ping(new byte[0]));
    }

    private static long seqOf(Envelope e) {
        return ((Protected) e.body()).seq();
    }

    @Test
    void sendsReserveARangeBeforeUse_andAResumedSessionContinuesAfterIt() {
        Pair p = establish();
        Kept kept = new Kept();
        SecureSession srv = SecureSession.resume(Suites.modern(), SRV, PNE, false, p.sk(), 0, 0, kept);
        srv.unprotect(p.pne().protect(ping(1), codec), codec);
        Envelope r1 = srv.protect(ping(1).reply(new Ping(new byte[0])), codec);
        srv.protect(ping(2).reply(new Ping(new byte[0])), codec);
        assertEquals(List.of("recv 1", "send " + SessionCounters.SEND_RESERVATION), kept.writes, "one reservation for many sends");
        p.pne().unprotect(r1, codec);

        // restart: resumed from what was kept
        SecureSession again = SecureSession.resume(Suites.modern(), SRV, PNE, false, p.sk(), kept.sendLimit, kept.received, kept);
        Envelope r3 = again.protect(ping(3).reply(new Ping(new byte[0])), codec);
        assertEquals(SessionCounters.SEND_RESERVATION + 1, seqOf(r3));
        assertEquals(2 * SessionCounters.SEND_RESERVATION, kept.sendLimit);
        p.pne().unprotect(r3, codec);
    }

    @Test
    void aMessageAcceptedBeforeTheRestart_isAReplayAfterIt() {
        Pair p = establish();
        Kept kept = new Kept();
        SecureSession srv = SecureSession.resume(Suites.modern(), SRV, PNE, false, p.sk(), 0, 0, kept);
        Envelope m = p.pne().protect(ping(1), codec);
        srv.unprotect(m, codec);

        SecureSession again = SecureSession.resume(Suites.modern(), SRV, PNE, false, p.sk(), kept.sendLimit, kept.received, kept);
        assertEquals(ErrorCode.REPLAY, assertThrows(CpnsException.class, () -> again.unprotect(m, codec)).code());
    }

    @Test
    void aCounterThatCannotBeRecorded_failsThatMessage_andAdvancesNothing() {
        Pair p = establish();
        Kept kept = new Kept();
        SecureSession srv = SecureSession.resume(Suites.modern(), SRV, PNE, false, p.sk(), 0, 0, kept);
        Envelope m = p.pne().protect(ping(1), codec);
        kept.failing = true;
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class, () -> srv.unprotect(m, codec)).code());
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class,
                () -> srv.protect(ping(1).reply(new Ping(new byte[0])), codec)).code());
        kept.failing = false;
        srv.unprotect(m, codec); // the same message, once the store is back: not a replay, it was never handed out
        assertEquals(1, seqOf(srv.protect(ping(1).reply(new Ping(new byte[0])), codec)));
        assertEquals(0, srv.sent() - 1);
    }
}
