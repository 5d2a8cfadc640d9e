package io.cpns.gw.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class MaintenanceWindowTest {
    @Test
    void aWindowWithinADay() {
        MaintenanceWindow w = MaintenanceWindow.parse("02:00-04:30");
        assertFalse(w.isOpen(LocalTime.of(1, 59)));
        assertTrue(w.isOpen(LocalTime.of(2, 0)));
        assertTrue(w.isOpen(LocalTime.of(4, 29)));
        assertFalse(w.isOpen(LocalTime.of(4, 30)), "the end is excluded");
        assertEquals(Duration.ofMinutes(1), w.untilOpen(LocalTime.of(1, 59)));
        assertEquals(Duration.ofHours(21).plusMinutes(30), w.untilOpen(LocalTime.of(4, 30)));
    }

    @Test
    void aWindowPastMidnight() {
        MaintenanceWindow w = MaintenanceWindow.parse("22:00-04:00");
        assertTrue(w.isOpen(LocalTime.of(23, 0)));
        assertTrue(w.isOpen(LocalTime.of(0, 0)));
        assertFalse(w.isOpen(LocalTime.of(4, 0)));
        assertEquals(Duration.ofHours(10), w.untilOpen(LocalTime.of(12, 0)));
    }

    @Test
    void noWindow_isAnyTime_andGarbageIsRefused() {
        assertTrue(MaintenanceWindow.parse(null).isOpen(LocalTime.NOON));
        assertTrue(MaintenanceWindow.parse("").anyTime());
        for (String bad : new String[] {"2:00-4:00", "02:00", "25:00-01:00", "02:00-04:00-05:00", "aa:bb-cc:dd"}) {
            assertThrows(IllegalArgumentException.class, () -> MaintenanceWindow.parse(bad), bad);
        }
    }
}
