package io.cpns.pan.ip;

import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines of connections, checked by one periodic sweep: a peer must finish sniffing and PSK-TLS,
 * send its first whole frame, and then a whole frame per idle timeout by the deadline, however it
 * drips its bytes. (A socket's read timeout restarts with every byte, so a byte every few seconds
 * held a thread for ever.) An expired deadline closes its socket; the connection's own thread then
 * ends and reports {@link Deadline#expired()} as the reason.
 */
final class Deadlines {
    private record When(long nanos, String reason) {
    }

    /** One connection's current deadline. */
    final class Deadline {
        private final Closeable socket;
        private volatile When when;
        private volatile String expired;

        private Deadline(Closeable socket) {
            this.socket = socket;
        }

        /** From now on, {@code millis} until {@code reason} closes the connection. */
        void in(long millis, String reason) {
            when = new When(System.nanoTime() + millis * 1_000_000L, reason);
        }

        /** At {@code nanos} (a {@link System#nanoTime()} value). */
        void at(long nanos, String reason) {
            when = new When(nanos, reason);
        }

        /** Why the deadline closed the connection, or null if it did not. */
        String expired() {
            return expired;
        }

        void cancel() {
            watched.remove(this);
        }
    }

    private final Set<Deadline> watched = ConcurrentHashMap.newKeySet();

    Deadlines(ScheduledExecutorService timer, long periodMillis) {
        timer.scheduleWithFixedDelay(this::sweep, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    Deadline watch(Closeable socket, long millis, String reason) {
        Deadline d = new Deadline(socket);
        d.in(millis, reason);
        watched.add(d);
        return d;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Deadline d : watched) {
            When w = d.when;
            if (now - w.nanos() >= 0 && watched.remove(d)) {
                d.expired = w.reason();
                try {
                    d.socket.close();
                } catch (Throwable ignored) { // closed anyway; a sweep that threw would stop every later one
                    // nothing to do
                }
            }
        }
    }
}
