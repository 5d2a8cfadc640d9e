package io.cpns.server.update.engine;

import io.cpns.testkit.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Wave plans, membership and the single-gateway rules of {@link Rollout}. */
class RolloutRulesTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void wavePlan_sizesAreCumulative_roundedUp_emptyWavesDropped() {
        assertEquals(List.of(5, 95, 400, 500), WavePlan.parse("5,10%,50%,100%").sizes(1000));
        assertEquals(List.of(3), WavePlan.parse("5,10%,100%").sizes(3), "a small fleet: the canary takes all");
        assertEquals(List.of(1, 1, 1), WavePlan.parse("1%,50%,100%").sizes(3));
        assertEquals(List.of(1), WavePlan.parse("100%").sizes(1));
        assertEquals("5,10%,100%", WavePlan.parse(" 5, 10% ,100%").toString());
    }

    @Test
    void wavePlan_refusesWhatCannotBeMeant() {
        for (String bad : new String[] {"", "5,50%", "0,100%", "abc,100%", "101%", "-5,100%", "5,%,100%"}) {
            assertThrows(IllegalArgumentException.class, () -> WavePlan.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> WavePlan.parse("50%,10%,100%"));
        assertThrows(IllegalArgumentException.class, () -> WavePlan.parse("50,10,100%"));
        assertEquals(List.of(5, 45, 50), WavePlan.parse("5,1%,50%,100%").sizes(100), "1% of 100 is below the canary: no such wave");
    }

    @Test
    void policy_refusesBadThresholdsAndWindows() {
        WavePlan w = WavePlan.parse("100%");
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(w, 0, 5, Duration.ZERO, Duration.ofHours(1), null));
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(w, 90, 101, Duration.ZERO, Duration.ofHours(1), null));
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(w, 90, 5, Duration.ZERO, Duration.ZERO, null));
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(w, 90, 5, Duration.ZERO, Duration.ofHours(1), "2:00-4:00"));
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(w, 90, 5, Duration.ZERO, Duration.ofHours(1), "02:00-24:00"));
        assertEquals("22:30-04:00", new RolloutPolicy(w, 90, 5, Duration.ZERO, Duration.ofHours(1), "22:30-04:00").window());
    }

    @Test
    void membership_isReproducible_independentOfInputOrder_andDiffersPerRollout() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add("gw-" + i);
        }
        List<String> a = Membership.order("r-1", ids);
        Collections.shuffle(ids, new java.util.Random(4));
        assertEquals(a, Membership.order("r-1", ids));
        assertNotEquals(a, Membership.order("r-2", ids));
        assertEquals(500, a.size());
        // the first of the order is the one with the smallest SHA-256("r-1" 0x00 id)
        String smallest = null;
        byte[] best = null;
        for (String id : ids) {
            byte[] h = sha256(("r-1\u0000" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (best == null || java.util.Arrays.compareUnsigned(h, best) < 0) {
                best = h;
                smallest = id;
            }
        }
        assertEquals(smallest, a.get(0));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Rollout oneWave(ManualClock clock, String... ids) {
        return Rollout.start("r", 7, List.of(ids), new RolloutPolicy(WavePlan.parse("100%"), 100, 50, Duration.ZERO, Duration.ofHours(1),
                null), clock);
    }

    @Test
    void status_outOfOrderAndRepeats_changeNothing_theFirstFinalStateStays() {
        ManualClock clock = new ManualClock(T0);
        Rollout r = oneWave(clock, "gw-1", "gw-2");
        assertTrue(r.status("gw-1", UpdateState.DOWNLOADING, null));
        assertFalse(r.status("gw-1", UpdateState.ACCEPTED, null), "older state arriving late");
        assertFalse(r.status("gw-1", UpdateState.DOWNLOADING, null), "repeat");
        assertTrue(r.status("gw-1", UpdateState.ROLLED_BACK, UpdateFailure.START_FAILED));
        assertFalse(r.status("gw-1", UpdateState.COMMITTED, null));
        assertEquals(UpdateState.ROLLED_BACK, r.find("gw-1").orElseThrow().state());
        assertEquals(UpdateFailure.START_FAILED, r.find("gw-1").orElseThrow().failure());
        assertTrue(r.find("gw-1").orElseThrow().offeredAt() != null, "a status proves the offer arrived");
        assertThrows(IllegalArgumentException.class, () -> r.status("gw-9", UpdateState.ACCEPTED, null));
    }

    @Test
    void aGatewayOfAWaveNotStarted_cannotReport() {
        ManualClock clock = new ManualClock(T0);
        Rollout r = Rollout.start("r", 7, List.of("a", "b", "c", "d"), new RolloutPolicy(WavePlan.parse("1,100%"), 100, 50, Duration.ZERO,
                Duration.ofHours(1), null), clock);
        String later = r.waves().get(1).members().get(0).gatewayId();
        assertThrows(IllegalArgumentException.class, () -> r.status(later, UpdateState.ACCEPTED, null));
    }

    @Test
    void aLateFinalStateAfterTheDeadline_countsWithThatState() {
        ManualClock clock = new ManualClock(T0);
        Rollout r = Rollout.start("r", 7, List.of("gw-1", "gw-2", "gw-3", "gw-4"), new RolloutPolicy(WavePlan.parse("100%"), 75, 50,
                Duration.ZERO, Duration.ofHours(1), null), clock);
        r.offered("gw-1");
        r.status("gw-2", UpdateState.COMMITTED, null);
        r.status("gw-3", UpdateState.COMMITTED, null);
        r.status("gw-4", UpdateState.COMMITTED, null);
        clock.advance(Duration.ofHours(1));
        r.tick();
        assertEquals(1, r.figures().count(Phase.TIMED_OUT));
        assertEquals(Rollout.State.COMPLETED, r.state(), "3 of 4 meet 75%, 1 of 4 is below the 50% failure threshold, all final");
        r.status("gw-1", UpdateState.COMMITTED, null);
        assertEquals(0, r.figures().count(Phase.TIMED_OUT));
        assertEquals(4, r.figures().count(Phase.COMMITTED));
    }

    @Test
    void pause_stopsOffers_resumeRestartsTheDeadlineOfWavesInProgress() {
        ManualClock clock = new ManualClock(T0);
        Rollout r = oneWave(clock, "gw-1", "gw-2");
        r.pause("operator");
        assertEquals(List.of(), r.due());
        assertFalse(r.isDue("gw-1"));
        clock.advance(Duration.ofHours(5));
        r.tick();
        assertEquals(0, r.figures().count(Phase.TIMED_OUT), "paused: no deadline is applied");
        assertTrue(r.resume());
        assertEquals(2, r.due().size());
        clock.advance(Duration.ofMinutes(59));
        r.tick();
        assertEquals(0, r.figures().count(Phase.TIMED_OUT), "the deadline runs from the resume");
        clock.advance(Duration.ofMinutes(1));
        r.tick();
        assertEquals(2, r.figures().count(Phase.TIMED_OUT));
        assertEquals(Rollout.State.PAUSED, r.state());
    }

    @Test
    void cancel_spareGatewaysApplyingOrInTrial() {
        ManualClock clock = new ManualClock(T0);
        Rollout r = oneWave(clock, "a", "b", "c", "d", "e");
        r.status("a", UpdateState.APPLYING, null);
        r.status("b", UpdateState.TRIAL, null);
        r.status("c", UpdateState.DOWNLOADING, null);
        r.offered("d");
        List<String> told = r.cancel().stream().map(Rollout.Member::gatewayId).sorted().toList();
        assertEquals(List.of("c", "d"), told, "e was never offered; a and b are carried through by the gateway");
        assertFalse(r.offered("e"), "an acknowledgement after the cancel asks for a cancel");
    }

    @Test
    void drain_returnsEachChangeOnce() {
        ManualClock clock = new ManualClock(T0);
        Rollout r = oneWave(clock, "a", "b");
        assertTrue(r.drain().isEmpty(), "start drained what it created");
        r.offered("a");
        r.status("b", UpdateState.COMMITTED, null);
        Rollout.Changes c = r.drain();
        assertEquals(List.of("a", "b"), c.members().stream().map(Rollout.Member::gatewayId).toList());
        assertFalse(c.header());
        assertTrue(r.drain().isEmpty());
        r.pause("x");
        assertTrue(r.drain().header());
    }
}
