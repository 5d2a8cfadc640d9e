package io.cpns.pne.internal;

import io.cpns.api.CpnsException;
import io.cpns.crypto.Bytes;
import io.cpns.session.InitiatorHandshake;

/**
 * The PNE's side of one PN Establishment (seed 004): its rand_PNE, hash_PNE for rand_server, and
 * the check of hash_server, which both authenticates the CPNS Server and yields SK_PNE, the
 * PNE-Server session key.
 */
public final class Establishment {
    private final InitiatorHandshake handshake;
    private byte[] serverKey;

    public Establishment(InitiatorHandshake handshake) {
        this.handshake = handshake;
    }

    /** rand_PNE (seed 004 steps 1, 3). */
    public byte[] randPne() {
        return handshake.rand();
    }

    /** hash_PNE for rand_server (steps 8-9). */
    public byte[] hashPne(byte[] randServer) {
        return handshake.prove(randServer);
    }

    /**
     * Verifies hash_server (steps 14-15). A forged one means the other end does not hold this
     * PNE's EUKey: it is not the CPNS Server.
     *
     * @return whether the Server is authenticated
     */
    public boolean verifyServer(byte[] hashServer) {
        if (hashServer == null) {
            handshake.destroy();
            return false;
        }
        try {
            serverKey = handshake.confirmKeepingKey(hashServer);
            return true;
        } catch (CpnsException forged) {
            return false;
        }
    }

    /** SK_PNE, after a successful {@link #verifyServer}: handed over once, the caller keeps it and wipes it. */
    public byte[] takeServerKey() {
        byte[] k = serverKey;
        serverKey = null;
        return k;
    }

    public String suite() {
        return handshake.suite().name();
    }

    public void abandon() {
        Bytes.wipe(serverKey);
        serverKey = null;
        handshake.destroy();
    }
}
