package io.cpns.gw.update;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;

/**
 * When an offer may be applied, in the gateway's local time: {@code "HH:MM-HH:MM"}, the end
 * excluded; an end before the start wraps past midnight ({@code "22:00-04:00"}). No window (null
 * or empty): any time. The download does not wait for it, only the apply (docs/updates.md §3.2).
 */
record MaintenanceWindow(LocalTime start, LocalTime end) {
    static final MaintenanceWindow ANY_TIME = new MaintenanceWindow(LocalTime.MIDNIGHT, LocalTime.MIDNIGHT);

    /** @throws IllegalArgumentException for anything but {@code HH:MM-HH:MM} */
    static MaintenanceWindow parse(String s) {
        if (s == null || s.isBlank()) {
            return ANY_TIME;
        }
        String[] parts = s.trim().split("-");
        if (parts.length != 2 || !parts[0].matches("\\d\\d:\\d\\d") || !parts[1].matches("\\d\\d:\\d\\d")) {
            throw new IllegalArgumentException("maintenance window '" + s + "' is not HH:MM-HH:MM");
        }
        try {
            return new MaintenanceWindow(LocalTime.parse(parts[0]), LocalTime.parse(parts[1]));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("maintenance window '" + s + "': " + e.getMessage());
        }
    }

    boolean anyTime() {
        return start.equals(end);
    }

    boolean isOpen(LocalTime t) {
        if (anyTime()) {
            return true;
        }
        return start.isBefore(end) ? !t.isBefore(start) && t.isBefore(end) : !t.isBefore(start) || t.isBefore(end);
    }

    /** How long from {@code t} until the window opens (zero when open). */
    Duration untilOpen(LocalTime t) {
        if (isOpen(t)) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(t, start);
        return d.isNegative() ? d.plusDays(1) : d;
    }

    @Override
    public String toString() {
        return anyTime() ? "any time" : start + "-" + end;
    }
}
