package io.cpns.release.tool;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A point in time on the command line: {@code 2027-12-31T12:00:00Z}, {@code 2027-12-31} (its last second, UTC) or {@code P90D} (from now). */
final class When {
    private When() {
    }

    static long parse(String s, Instant now) throws ToolException {
        try {
            if (s.startsWith("P") || s.startsWith("p")) {
                return now.plus(Duration.parse(s)).getEpochSecond();
            }
            if (s.contains("T")) {
                return Instant.parse(s).getEpochSecond();
            }
            return LocalDate.parse(s).plusDays(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) - 1;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new ToolException("'" + s + "' is no time: give 2027-12-31T12:00:00Z, 2027-12-31 (its last second, UTC) or P90D");
        }
    }

    static String format(long epochSecond) {
        return epochSecond > Instant.MAX.getEpochSecond() ? epochSecond + " (Unix time)" : Instant.ofEpochSecond(epochSecond).toString();
    }
}
