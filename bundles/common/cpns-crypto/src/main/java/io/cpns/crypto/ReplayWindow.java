package io.cpns.crypto;

import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values seen within a time window (Key Assignment Nonces and RANDPNEs, seed 001): each is
 * accepted once while its Time is inside the window, which is as long as a replay could pass the
 * receiver's time check. Bounded: beyond {@code capacity} the oldest entries go first. Callers
 * record only values that came with a verified authenticator, so filling it takes the password.
 * Thread-safe.
 */
public final class ReplayWindow {
    private final long windowSeconds;
    private final int capacity;
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

    public ReplayWindow(long windowSeconds, int capacity) {
        this.windowSeconds = windowSeconds;
        this.capacity = capacity;
    }

    /** True the first time {@code value} is offered (and remembers it until {@code now + window}); false for a replay. */
    public synchronized boolean firstSeen(byte[] value, long nowSeconds) {
        evict(nowSeconds);
        String key = HexFormat.of().formatHex(value);
        if (seen.containsKey(key)) {
            return false;
        }
        seen.put(key, nowSeconds + 2 * windowSeconds); // a Time up to a window in the future stays valid a window longer
        if (seen.size() > capacity) {
            Iterator<String> oldest = seen.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    /** Whether {@code time} is within the window around {@code now}. */
    public boolean fresh(long time, long nowSeconds) {
        return Math.abs(nowSeconds - time) <= windowSeconds;
    }

    synchronized int size() {
        return seen.size();
    }

    private void evict(long now) {
        for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() >= now) {
                break; // insertion order: later entries expire later
            }
            it.remove();
        }
    }
}
