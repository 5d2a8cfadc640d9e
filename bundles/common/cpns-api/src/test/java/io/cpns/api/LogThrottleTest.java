package io.cpns.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private final FailureLimiterTest.MutableClock clock = new FailureLimiterTest.MutableClock();
    private final LogThrottle throttle = new LogThrottle(2, Duration.ofSeconds(60), 100, clock);

    @Test
    void aBurstPerWindow_thenSilence_thenOneLineSayingHowManyWereLeftOut() {
        assertTrue(throttle.allow("192.0.2.7").log());
        assertTrue(throttle.allow("192.0.2.7").log());
        for (int i = 0; i < 1000; i++) {
            assertFalse(throttle.allow("192.0.2.7").log());
        }
        assertTrue(throttle.allow("192.0.2.8").log(), "keys are counted apart");
        clock.advance(Duration.ofSeconds(60));
        LogThrottle.Decision d = throttle.allow("192.0.2.7");
        assertTrue(d.log());
        assertEquals(1000, d.suppressed());
        assertEquals(" (1000 similar lines suppressed)", d.suffix());
        assertEquals("", throttle.allow("192.0.2.7").suffix());
    }
}
