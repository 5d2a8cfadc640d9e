package io.cpns.pan.ip;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which accepted connections may have a thread: at most {@code maxConnections} at once, and at most
 * {@code maxUnauthenticatedPerAddress} from one source address that have not proved a PSK (those
 * still sniffing or in the TLS handshake, and plain links on a LAN not declared secure). Decided at
 * accept, before a thread is started, so a refused connection costs nothing.
 */
final class Admission {
    /** A connection's place; given back exactly once, however many paths end the connection. */
    final class Slot {
        private final InetAddress from;
        private final AtomicBoolean unauthenticated;
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Slot(InetAddress from, boolean counted) {
            this.from = from;
            this.unauthenticated = new AtomicBoolean(counted);
        }

        /** The connection proved a PSK (or its PAN vouches for it): it no longer counts against its address. */
        void authenticated() {
            if (unauthenticated.compareAndSet(true, false)) {
                perAddress.computeIfPresent(from, (a, n) -> n <= 1 ? null : n - 1);
            }
        }

        void release() {
            if (held.compareAndSet(true, false)) {
                authenticated();
                slots.release();
            }
        }
    }

    /** A slot, or why there is none. */
    record Admitted(Slot slot, String refusal) {
    }

    private final int maxConnections;
    private final int maxPerAddress;
    private final Semaphore slots;
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /** @param maxPerAddress unauthenticated connections per source address; 0 = no limit */
    Admission(int maxConnections, int maxPerAddress) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.slots = new Semaphore(maxConnections);
    }

    Admitted admit(InetAddress from) {
        if (!slots.tryAcquire()) {
            return new Admitted(null, maxConnections + " connections open (maxConnections)");
        }
        if (maxPerAddress <= 0) {
            return new Admitted(new Slot(from, false), null);
        }
        boolean[] counted = {false};
        perAddress.compute(from, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerAddress) {
                return n;
            }
            counted[0] = true;
            return now + 1;
        });
        if (!counted[0]) {
            slots.release();
            return new Admitted(null, maxPerAddress + " unauthenticated connections from this address (maxUnauthenticatedPerAddress)");
        }
        return new Admitted(new Slot(from, true), null);
    }

    int inUse() {
        return maxConnections - slots.availablePermits();
    }
}
