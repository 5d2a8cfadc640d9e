package io.cpns.pan.udp;

import io.cpns.api.LogThrottle;
import java.time.Clock;
import java.time.Duration;
import org.osgi.service.log.Logger;

/**
 * Logs what the adapter refuses or survives (a datagram too big, a full link table, a gateway bug):
 * one line per kind a minute with how many were left out, so a flood from many source addresses
 * costs one log line, not one per datagram.
 */
final class Drops {
    private final LogThrottle throttle;
    private final Logger log;

    Drops(Logger log, Clock clock) {
        this.log = log;
        this.throttle = new LogThrottle(1, Duration.ofMinutes(1), 64, clock);
    }

    void warn(String kind, String format, Object... args) {
        LogThrottle.Decision d = throttle.allow(kind);
        if (d.log()) {
            log.warn(format + d.suffix(), args);
        }
    }

    /** A failure nobody expected, which the reader survived: the stack once per kind of failure a minute. */
    void unexpected(String where, Throwable t) {
        LogThrottle.Decision d = throttle.allow("unexpected " + t.getClass().getName());
        if (d.log()) {
            log.error("{}: unexpected {}{}", where, t.toString(), d.suffix(), t);
        }
    }

    /** The reason given to the gateway for a link a gateway bug ended: the kind of failure, not its text. */
    static String reason(Throwable t) {
        return "internal error (" + t.getClass().getSimpleName() + ")";
    }
}
