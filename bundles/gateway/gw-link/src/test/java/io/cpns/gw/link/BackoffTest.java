package io.cpns.gw.link;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delaysGrowExponentially_withJitter_upToTheMaximum_andResetAfterSuccess() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
        long[] steps = {100, 200, 400, 800, 1000, 1000};
        for (long step : steps) {
            long d = b.next().toMillis();
            assertTrue(d >= step / 2 && d <= step, d + " not in [" + step / 2 + "," + step + "]");
        }
        b.reset();
        assertTrue(b.next().toMillis() <= 100);
    }
}
