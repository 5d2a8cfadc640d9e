package io.cpns.api.message;

import java.util.Objects;

/**
 * A PNE-Server message carried through the PN GW (TS §5.3.3.1: protected end to end by the PNE's
 * session with the Server). The PN GW routes it by PN ID and never decrypts it.
 *
 * @param pnId     the PN of the PNE
 * @param envelope the encoded, protected envelope (source PNE, destination Server)
 */
public record Relay(String pnId, byte[] envelope) implements Message {
    public Relay {
        Objects.requireNonNull(pnId, "pnId");
        Objects.requireNonNull(envelope, "envelope");
    }
}
