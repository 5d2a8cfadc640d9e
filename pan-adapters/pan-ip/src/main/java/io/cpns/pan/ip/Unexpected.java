package io.cpns.pan.ip;

import io.cpns.api.LogThrottle;
import java.time.Clock;
import java.time.Duration;
import org.osgi.service.log.Logger;

/**
 * Logs a failure nobody expected (a gateway bug, an {@link Error}) that a loop survived: the stack
 * once per kind of failure and ten minutes, not on every frame of a peer that keeps triggering it.
 */
final class Unexpected {
    private final LogThrottle throttle = new LogThrottle(1, Duration.ofMinutes(10), 100, Clock.systemUTC());
    private final Logger log;

    Unexpected(Logger log) {
        this.log = log;
    }

    void log(String where, Throwable t) {
        LogThrottle.Decision d = throttle.allow(t.getClass().getName());
        if (d.log()) {
            log.error("{}: unexpected {}{}", where, t.toString(), d.suffix(), t);
        }
    }

    /** The reason given to the gateway and the PNE's log line: the kind of failure, not its text. */
    static String reason(Throwable t) {
        return "internal error (" + t.getClass().getSimpleName() + ")";
    }
}
