package io.cpns.pne.internal;

import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The keys a PNE secures its link to its PN GW with (PSK-TLS on IP, the message-level session
 * elsewhere), and the LocalEUKey it replaced, kept until the new one is proven.
 *
 * <p>A PN GW keeps a LocalEUKey change of PN Establishment in a journal until the PNE proved the
 * new key or the PNE joined the PN; if the PN GW dies before, it rolls the change back when it
 * starts again (decision D31). The PNE cannot know how far its PN GW got, so it keeps, under
 * {@link #PREVIOUS}, the key its link was secured with before the change (empty: it had none), and
 * offers that one when the new one fails. A handshake that succeeds tells which key the PN GW
 * holds: the PNE keeps that one and drops the other. Once the PN is established (hash_server
 * verified) the PN GW has settled for good and the previous key goes.
 */
public final class LinkKeys {
    /** The previous LocalEUKey, or empty if the link had no LocalEUKey before the change. */
    public static final String PREVIOUS = "lek.prev";

    private final SecretStore keys;
    private final String localEuKey;
    private final String preAssigned;
    private volatile String linkKey;

    public LinkKeys(SecretStore keys, String localEuKey, String preAssigned) {
        this.keys = keys;
        this.localEuKey = localEuKey;
        this.preAssigned = preAssigned;
    }

    /** Aliases to try in turn: the LocalEUKey, the previous one, the pre-assigned key; those the PNE holds. */
    public List<String> candidates() {
        List<String> out = new ArrayList<>();
        for (String alias : List.of(localEuKey, PREVIOUS, preAssigned)) {
            Optional<byte[]> k = keys.get(alias);
            if (k.isPresent() && k.get().length > 0) {
                out.add(alias);
            }
            k.ifPresent(Bytes::wipe);
        }
        return out;
    }

    /** Whether the PN GW may hold no key for this PNE: a change from "no LocalEUKey" is not settled yet. */
    public boolean mayHaveNoKey() {
        Optional<byte[]> p = keys.get(PREVIOUS);
        p.ifPresent(Bytes::wipe);
        return p.isPresent() && p.get().length == 0;
    }

    /**
     * A link came up, secured with {@code alias} (null: without a key). Its PN GW holds exactly
     * that key for this PNE: with the previous LocalEUKey, the change was rolled back, so the PNE
     * takes it back; with the pre-assigned key, the PN GW holds no LocalEUKey (gw-pan prefers one).
     */
    public void connectedWith(String alias) {
        if (PREVIOUS.equals(alias)) {
            byte[] k = keys.get(PREVIOUS).orElseThrow();
            try {
                keys.put(localEuKey, k); // first: a crash in between leaves both the same
                keys.delete(PREVIOUS);
            } finally {
                Bytes.wipe(k);
            }
            alias = localEuKey;
        } else if (preAssigned.equals(alias)) {
            keys.delete(localEuKey);
            keys.delete(PREVIOUS);
        }
        linkKey = alias;
    }

    /**
     * Seed 004 step 6 at the PNE: the new LocalEUKey replaces the old one, which stays as {@link #PREVIOUS}.
     *
     * @param panSecure the link is protected by the PAN, not by a key (R01: the PNE still gets a
     *        LocalEUKey). No handshake told which key the PN GW holds, so the fallback is the key of the
     *        last settled change (the LocalEUKey when no change is pending, else the pending fallback).
     */
    public Change install(byte[] lek, boolean panSecure) {
        Change c = new Change(keys.get(localEuKey), keys.get(PREVIOUS));
        Optional<byte[]> known = localEuKey.equals(linkKey) ? c.lek
                : panSecure ? (c.previous.isPresent() ? c.previous : c.lek) : Optional.empty();
        byte[] held = known.map(byte[]::clone).orElse(new byte[0]);
        try {
            keys.put(PREVIOUS, held); // first: whatever happens next, the key the PN GW is known to hold stays
            keys.put(localEuKey, lek);
        } finally {
            Bytes.wipe(held);
        }
        return c;
    }

    /** hash_server verified (steps 14/15): the PN GW settled its change, the previous key is of no more use. */
    public void established() {
        keys.delete(PREVIOUS);
    }

    /** What {@link #install} replaced, to put back if the new key never secured a link. */
    public final class Change implements AutoCloseable {
        private final Optional<byte[]> lek;
        private final Optional<byte[]> previous;

        private Change(Optional<byte[]> lek, Optional<byte[]> previous) {
            this.lek = lek;
            this.previous = previous;
        }

        /** The PN GW never saw the new key work: it rolls it back (or did), so does the PNE. */
        public void undo() {
            lek.ifPresentOrElse(k -> keys.put(localEuKey, k), () -> keys.delete(localEuKey));
            previous.ifPresentOrElse(k -> keys.put(PREVIOUS, k), () -> keys.delete(PREVIOUS));
        }

        @Override
        public void close() {
            lek.ifPresent(Bytes::wipe);
            previous.ifPresent(Bytes::wipe);
        }
    }
}
