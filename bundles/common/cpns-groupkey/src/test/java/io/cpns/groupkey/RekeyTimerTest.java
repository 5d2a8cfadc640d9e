package io.cpns.groupkey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cpns.groupkey.RekeyTimer.KeyAge;
import io.cpns.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The periodic Group Key update by key age (TS §5.3.2), driven step by step on a clock the test moves. */
class RekeyTimerTest {
    private static final Duration DAY = Duration.ofHours(24);
    private static final Duration RETRY = Duration.ofMinutes(5);

    private final ManualClock clock = new ManualClock();
    private final Instant t0 = clock.instant();
    /** The "store": each group's current key; a rekey makes the next epoch now. */
    private final Map<String, KeyAge> keys = new LinkedHashMap<>();
    private final List<String> rekeyed = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private boolean managerOffline;

    private RekeyTimer timer() {
        return new RekeyTimer("test", clock, DAY, RETRY, () -> List.copyOf(keys.values()), a -> {
            if (managerOffline) {
                throw new IllegalStateException("manager offline");
            }
            rekeyed.add(a.groupId() + "@" + a.epoch());
            keys.put(a.groupId(), new KeyAge(a.groupId(), a.epoch() + 1, clock.instant()));
        }, (a, e) -> failures.add(a == null ? "?" : a.groupId()));
    }

    @Test
    void restartHalfAnHourBeforeTheKeyIsDue_theRekeyStillHappensAtItsDueTime() {
        keys.put("sg-a", new KeyAge("sg-a", 1, t0));
        clock.advance(DAY.minusMinutes(30));
        RekeyTimer restarted = timer(); // the Server (or the bundle) restarts here
        assertEquals(Duration.ofMinutes(30), restarted.runDue(), "due 30 minutes from now, not 24 hours");
        assertEquals(List.of(), rekeyed);
        clock.advance(Duration.ofMinutes(30));
        restarted.runDue();
        assertEquals(List.of("sg-a@1"), rekeyed);
        assertEquals(2, keys.get("sg-a").epoch());
    }

    @Test
    void aKeyOverdueAtStartIsRenewedAtTheFirstStep() {
        keys.put("sg-a", new KeyAge("sg-a", 3, t0));
        keys.put("sg-b", new KeyAge("sg-b", 1, t0.plus(Duration.ofHours(20))));
        clock.advance(Duration.ofDays(3)); // the Server was down for three days
        RekeyTimer t = timer();
        t.runDue();
        assertEquals(List.of("sg-a@3", "sg-b@1"), rekeyed, "once each, not once per missed period");
        assertEquals(RekeyTimer.MAX_WAIT, t.runDue(), "both renewed now: nothing due before the next wake-up");
        assertEquals(2, rekeyed.size());
    }

    @Test
    void aKeyRenewedForAnotherReasonStartsItsAgeAgain() {
        keys.put("sg-a", new KeyAge("sg-a", 1, t0));
        RekeyTimer t = timer();
        clock.advance(Duration.ofHours(20));
        keys.put("sg-a", new KeyAge("sg-a", 2, clock.instant())); // a join renewed it
        clock.advance(Duration.ofHours(4));
        t.runDue();
        assertEquals(List.of(), rekeyed, "not at the old key's due time");
        clock.advance(Duration.ofHours(19));
        assertEquals(Duration.ofHours(1), t.runDue());
        assertEquals(List.of(), rekeyed);
        clock.advance(Duration.ofHours(1));
        t.runDue();
        assertEquals(List.of("sg-a@2"), rekeyed);
    }

    @Test
    void aFailedRekeyIsRetriedAfterTheRetryDelayNotBefore() {
        keys.put("sg-a", new KeyAge("sg-a", 1, t0));
        clock.advance(DAY);
        managerOffline = true;
        RekeyTimer t = timer();
        assertEquals(RETRY, t.runDue());
        assertEquals(List.of("sg-a"), failures);
        clock.advance(RETRY.minusSeconds(1));
        assertEquals(Duration.ofSeconds(1), t.runDue(), "waits, no busy loop");
        assertEquals(1, failures.size());
        managerOffline = false;
        clock.advance(Duration.ofSeconds(1));
        t.runDue();
        assertEquals(List.of("sg-a@1"), rekeyed);
    }

    @Test
    void theWaitIsCappedSoAJumpingClockIsNoticed() {
        keys.put("sg-a", new KeyAge("sg-a", 1, t0)); // due in a day, but a clock set forward meanwhile is seen within the hour
        assertEquals(RekeyTimer.MAX_WAIT, timer().runDue());
    }
}
