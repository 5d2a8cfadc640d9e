package io.cpns.session;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Transcript;

/**
 * The initiator's half of the PSK mutual authentication (TS §5.3.3.1.1): sends its random number,
 * receives the responder's, proves knowledge of the PSK, then checks the responder's proof. In
 * seed 004 the PNE is the initiator (rand_PNE, hash_PNE) and the CPNS Server the responder.
 * One instance per attempt; not thread-safe.
 */
public final class InitiatorHandshake {
    private final CryptoSuite suite;
    private final EntityId self;
    private final EntityId peer;
    private final byte[] randI;
    /** The PSK, or an empty array when {@link #extract} stands for it. */
    private byte[] psk;
    /** A credential module's HKDF-Extract over the PSK it holds, or null. */
    private final java.util.function.UnaryOperator<byte[]> extract;
    private Transcript transcript;
    private byte[] sk;
    private byte[] proof;

    /** @param psk EUKey or LocalEUKey; copied, and the copy wiped when the handshake ends */
    public InitiatorHandshake(CryptoSuite suite, EntityId self, EntityId peer, byte[] psk) {
        this.suite = suite;
        this.self = self;
        this.peer = peer;
        this.psk = psk.clone();
        this.extract = null;
        this.randI = Randoms.bytes(suite.randLength());
    }

    /**
     * With a PSK this process does not hold: a credential module computes {@code HKDF-Extract(salt,
     * PSK)} ({@link CryptoSuite#sessionKey(java.util.function.UnaryOperator, Transcript)}); the rest
     * of the derivation and both proofs use only SK. Same messages on the wire; modern-v1 only.
     *
     * @throws CpnsException {@code UNSUPPORTED_SUITE} for a suite that needs the PSK itself
     */
    public InitiatorHandshake(CryptoSuite suite, EntityId self, EntityId peer, java.util.function.UnaryOperator<byte[]> extract) {
        if (!suite.name().equals(io.cpns.crypto.ModernSuite.NAME)) {
            throw new CpnsException(ErrorCode.UNSUPPORTED_SUITE, suite.name() + " needs the PSK itself; with a credential module use "
                    + io.cpns.crypto.ModernSuite.NAME);
        }
        this.suite = suite;
        this.self = self;
        this.peer = peer;
        this.psk = new byte[0]; // modern-v1's proofs do not read it
        this.extract = java.util.Objects.requireNonNull(extract);
        this.randI = Randoms.bytes(suite.randLength());
    }

    public CryptoSuite suite() {
        return suite;
    }

    /** rand_I, to send in the opening message. */
    public byte[] rand() {
        return randI.clone();
    }

    /** Step 2: takes the responder's random number and returns this side's proof (hash_I). */
    public byte[] prove(byte[] randR) {
        if (psk == null || transcript != null) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "handshake not expecting a challenge");
        }
        Handshakes.checkRand(suite, randR);
        transcript = new Transcript(self.value(), peer.value(), randI, randR.clone());
        sk = extract != null ? suite.sessionKey(extract, transcript) : suite.sessionKey(psk, transcript);
        proof = suite.initiatorProof(psk, sk, transcript);
        return proof.clone();
    }

    /**
     * Step 4: checks the responder's proof (hash_R) in constant time.
     *
     * @return the established session
     * @throws CpnsException {@code AUTH_FAILED} if the responder does not hold the same PSK
     */
    public SecureSession confirm(byte[] responderProof) {
        byte[] key = confirmKeepingKey(responderProof);
        try {
            return new SecureSession(suite, self, peer, true, key);
        } finally {
            Bytes.wipe(key);
        }
    }

    /**
     * As {@link #confirm} but hands out the session key, for the caller to keep (encrypted at rest)
     * and {@link SecureSession#resume resume} from; the caller wipes it.
     */
    public byte[] confirmKeepingKey(byte[] responderProof) {
        if (transcript == null || psk == null) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "handshake not expecting a confirmation");
        }
        try {
            byte[] expected = suite.responderProof(psk, sk, transcript, proof);
            if (!Bytes.constantTimeEquals(expected, responderProof)) {
                throw new CpnsException(ErrorCode.AUTH_FAILED, peer + " failed to prove the shared key");
            }
            return sk.clone();
        } finally {
            destroy();
        }
    }

    /** Wipes the PSK and the session key; the handshake can no longer complete. */
    public void destroy() {
        Bytes.wipe(psk, sk);
        psk = null;
        sk = null;
    }
}
