package io.cpns.pne;

import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Primitives;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The PNE's memory of the Key Assignment Trigger Nonces it has accepted (seed 001 §7.x.2.3.2):
 * how a PNE without a clock tells a fresh trigger from a replayed one. Kept in the PNE's
 * {@link SecretStore} (alias {@value #ALIAS}) so a restart forgets nothing, and bounded: beyond
 * {@value #CAPACITY} entries the oldest goes, and the Time it carried becomes a floor, so a
 * trigger no newer than a forgotten one is refused too. The Times compared are the PN GW's (the
 * triggers'), never this PNE's clock. Not thread-safe: the PNE's inbound thread calls it.
 *
 * <p>Record: floor (8 bytes) then, oldest first, Time (8) and SHA-256 of the Nonce (32) per entry.
 */
final class TriggerNonces {
    static final String ALIAS = "ka.nonces";
    static final int CAPACITY = 64;
    private static final int ENTRY = 8 + 32;

    private final SecretStore keys;

    TriggerNonces(SecretStore keys) {
        this.keys = keys;
    }

    /**
     * Records {@code nonce} (stored before this returns) and returns true, or returns false for a
     * Nonce already recorded or a Time at or below the floor. Call only for an authenticated
     * trigger, so filling the memory takes the password.
     */
    boolean firstSeen(byte[] nonce, long time) {
        Deque<byte[]> entries = new ArrayDeque<>();
        ByteBuffer in = ByteBuffer.wrap(keys.get(ALIAS).orElse(ByteBuffer.allocate(8).putLong(Long.MIN_VALUE).array()));
        long floor = in.getLong(); // Long.MIN_VALUE until an entry is forgotten
        while (in.remaining() >= ENTRY) {
            byte[] e = new byte[ENTRY];
            in.get(e);
            entries.addLast(e);
        }
        if (time <= floor) {
            return false;
        }
        byte[] digest = Primitives.sha256(nonce);
        for (byte[] e : entries) {
            if (Arrays.equals(e, 8, ENTRY, digest, 0, 32)) {
                return false;
            }
        }
        entries.addLast(ByteBuffer.allocate(ENTRY).putLong(time).put(digest).array());
        while (entries.size() > CAPACITY) {
            floor = Math.max(floor, ByteBuffer.wrap(entries.removeFirst()).getLong());
        }
        ByteBuffer out = ByteBuffer.allocate(8 + entries.size() * ENTRY).putLong(floor);
        entries.forEach(out::put);
        keys.put(ALIAS, out.array());
        return true;
    }
}
