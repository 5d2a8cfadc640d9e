package io.cpns.session;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Transcript;

/**
 * The responder's half of the PSK mutual authentication (TS §5.3.3.1.1; the CPNS Server in seed
 * 004 steps 5, 11, 12): answers the initiator's random number with its own, verifies the
 * initiator's proof, then proves itself with a value that also covers the initiator's proof.
 */
public final class ResponderHandshake {
    private final CryptoSuite suite;
    private final EntityId self;
    private final EntityId peer;
    private final Transcript transcript;
    private byte[] psk;

    /** The outcome: the session, and the proof (hash_R) to send back. */
    public record Result(SecureSession session, byte[] proof) {
    }

    /** @param randI the initiator's random number (rand_PNE) */
    public ResponderHandshake(CryptoSuite suite, EntityId self, EntityId peer, byte[] psk, byte[] randI) {
        this(suite, self, peer, psk, randI, Randoms.bytes(suite.randLength()));
    }

    /**
     * With a given responder random number: seed 004 step 5 sends one rand_server to all PNEs of
     * a PN Registration, so every PNE's handshake uses it.
     */
    public ResponderHandshake(CryptoSuite suite, EntityId self, EntityId peer, byte[] psk, byte[] randI, byte[] randR) {
        Handshakes.checkRand(suite, randI);
        Handshakes.checkRand(suite, randR);
        this.suite = suite;
        this.self = self;
        this.peer = peer;
        this.psk = psk.clone();
        this.transcript = new Transcript(peer.value(), self.value(), randI.clone(), randR.clone());
    }

    public CryptoSuite suite() {
        return suite;
    }

    /** rand_R (rand_server), to send back. */
    public byte[] rand() {
        return transcript.randR().clone();
    }

    /**
     * Verifies the initiator's proof (hash_I) in constant time and, if it holds, returns the
     * session and this side's proof.
     *
     * @throws CpnsException {@code AUTH_FAILED} if the initiator does not hold the PSK
     */
    public Result verify(byte[] initiatorProof) {
        Keyed k = verifyKeepingKey(initiatorProof);
        try {
            return new Result(new SecureSession(suite, self, peer, false, k.sessionKey()), k.proof());
        } finally {
            Bytes.wipe(k.sessionKey());
        }
    }

    /** The outcome for a session kept across restarts: its key (the caller seals it, then wipes it) and the proof. */
    public record Keyed(byte[] sessionKey, byte[] proof) {
    }

    /**
     * As {@link #verify} but hands out the session key instead of a session, for the caller to
     * keep (sealed) and {@link SecureSession#resume resume} from.
     *
     * @throws CpnsException {@code AUTH_FAILED} if the initiator does not hold the PSK
     */
    public Keyed verifyKeepingKey(byte[] initiatorProof) {
        if (psk == null) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "handshake already finished");
        }
        byte[] sk = suite.sessionKey(psk, transcript);
        try {
            byte[] expected = suite.initiatorProof(psk, sk, transcript);
            if (!Bytes.constantTimeEquals(expected, initiatorProof)) {
                throw new CpnsException(ErrorCode.AUTH_FAILED, peer + " failed to prove the shared key");
            }
            byte[] proof = suite.responderProof(psk, sk, transcript, initiatorProof);
            return new Keyed(sk.clone(), proof);
        } finally {
            Bytes.wipe(sk);
            destroy();
        }
    }

    public void destroy() {
        Bytes.wipe(psk);
        psk = null;
    }
}
