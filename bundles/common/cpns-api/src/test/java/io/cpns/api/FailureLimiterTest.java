package io.cpns.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FailureLimiterTest {
    private final MutableClock clock = new MutableClock();
    private final FailureLimiter limiter = new FailureLimiter(3, Duration.ofSeconds(1), Duration.ofSeconds(30), 2, clock);

    @Test
    void freeFailures_costNothing_thenTheWaitDoubles_upToTheMaximum() {
        for (int i = 0; i < 3; i++) {
            assertEquals(Duration.ZERO, limiter.failed("10.0.0.9"));
        }
        assertEquals(Duration.ofSeconds(1), limiter.failed("10.0.0.9"));
        assertEquals(Duration.ofSeconds(2), limiter.failed("10.0.0.9"));
        assertEquals(Duration.ofSeconds(4), limiter.failed("10.0.0.9"));
        for (int i = 0; i < 50; i++) {
            limiter.failed("10.0.0.9");
        }
        assertEquals(Duration.ofSeconds(30), limiter.delay("10.0.0.9"));
        assertEquals(Duration.ZERO, limiter.delay("10.0.0.8"), "other keys are not affected");
    }

    @Test
    void theWaitRunsOut_andAQuietKeyIsForgotten() {
        for (int i = 0; i < 5; i++) {
            limiter.failed("alice");
        }
        assertEquals(Duration.ofSeconds(2), limiter.delay("alice"));
        clock.advance(Duration.ofMillis(1500));
        assertEquals(Duration.ofMillis(500), limiter.delay("alice"));
        clock.advance(Duration.ofMillis(500));
        assertEquals(Duration.ZERO, limiter.delay("alice"));
        assertEquals(5, limiter.failures("alice"), "remembered until quiet for the maximum");
        clock.advance(Duration.ofSeconds(31));
        assertEquals(Duration.ZERO, limiter.delay("alice"));
        assertEquals(0, limiter.failures("alice"));
    }

    @Test
    void success_startsAfresh() {
        for (int i = 0; i < 6; i++) {
            limiter.failed("bob");
        }
        limiter.succeeded("bob");
        assertEquals(Duration.ZERO, limiter.delay("bob"));
        assertEquals(Duration.ZERO, limiter.failed("bob"));
    }

    @Test
    void memoryIsBounded_theLeastRecentKeyGoes() {
        limiter.failed("a");
        limiter.failed("b");
        limiter.failed("c");
        assertEquals(0, limiter.failures("a"));
        assertEquals(1, limiter.failures("c"));
    }

    /** Its own clock, not cpns-testkit's ManualClock: the testkit depends on cpns-api, and Maven refuses the cycle. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
