package io.cpns.groupkey;

import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One receiver's openers for the Service Groups it reads (TS §5.3.3.2): per group, one
 * {@link GroupOpener} at the epoch of the Group Key held, replaced (replay window and all) when
 * that epoch moves on. Used by the PN GW, which checks what it relays, and by the PNE SDK.
 * Thread-safe.
 */
public final class GroupOpeners implements AutoCloseable {
    private record Held(long epoch, GroupOpener opener) {
    }

    private final CryptoSuite suite;
    private final Map<String, Held> byGroup = new HashMap<>();

    public GroupOpeners(CryptoSuite suite) {
        this.suite = suite;
    }

    /**
     * Opens {@code m} with the group's key of {@code epoch}, the one the receiver holds now.
     * {@code key} is asked for a copy of that key only when a new opener is needed; it is wiped here.
     *
     * @throws io.cpns.api.CpnsException as {@link GroupOpener#open}
     */
    public synchronized byte[] open(GroupMessage m, long epoch, Supplier<byte[]> key) {
        Held h = byGroup.get(m.groupId());
        if (h == null || h.epoch() != epoch) {
            if (h != null) {
                h.opener().close();
            }
            GroupOpener fresh = new GroupOpener(suite, m.groupId());
            byte[] k = key.get();
            try {
                fresh.rekeyed(epoch, k);
            } finally {
                Bytes.wipe(k);
            }
            h = new Held(epoch, fresh);
            byGroup.put(m.groupId(), h);
        }
        return h.opener().open(m);
    }

    /** The group is gone, or this receiver left it. */
    public synchronized void forget(String groupId) {
        Held h = byGroup.remove(groupId);
        if (h != null) {
            h.opener().close();
        }
    }

    @Override
    public synchronized void close() {
        byGroup.values().forEach(h -> h.opener().close());
        byGroup.clear();
    }
}
