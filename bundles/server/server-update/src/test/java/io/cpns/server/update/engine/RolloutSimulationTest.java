package io.cpns.server.update.engine;

import io.cpns.testkit.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.UpdateState;
import io.cpns.server.update.engine.FleetSimulation.Fate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rollout engine with 10,000 simulated gateways and a simulated clock (issue 11 §5): no OSGi,
 * no sockets, no real time. Every expectation is computed from the simulation's own record of
 * what the gateways did, not from the engine.
 */
class RolloutSimulationTest {
    private static final int FLEET = 10_000;
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private static List<String> fleet() {
        List<String> ids = new ArrayList<>(FLEET);
        for (int i = 0; i < FLEET; i++) {
            ids.add(String.format("gw-%05d", i));
        }
        return ids;
    }

    private static RolloutPolicy policy(String waves, int success, int failure, Duration soak, Duration deadline) {
        return new RolloutPolicy(WavePlan.parse(waves), success, failure, soak, deadline, null);
    }

    /** Install times 2..40 minutes, drawn once per gateway from a fixed seed. */
    private static Map<String, Integer> installTimes(List<String> ids, long seed) {
        Random rnd = new Random(seed);
        Map<String, Integer> t = new HashMap<>();
        ids.forEach(id -> t.put(id, 2 + rnd.nextInt(39)));
        return t;
    }

    @Test
    void healthyFleet_wavesAdvanceOnlyAfterThresholdAndSoak_allCommit_figuresMatch() {
        ManualClock clock = new ManualClock(T0);
        List<String> ids = fleet();
        Map<String, Integer> minutes = installTimes(ids, 1);
        Rollout r = Rollout.start("r-healthy", 7, ids, policy("10,1%,10%,50%,100%", 95, 5, Duration.ofHours(1), Duration.ofHours(6)), clock);
        assertEquals(List.of(10, 90, 900, 4000, 5000), r.waves().stream().map(Rollout.Wave::size).toList());
        FleetSimulation sim = new FleetSimulation(clock, r, id -> Fate.commits(minutes.get(id)));

        assertTrue(sim.runUntil(() -> r.state() == Rollout.State.COMPLETED, Duration.ofDays(2)), "completes: " + r.figures());
        assertEquals(List.of(), sim.violations);
        assertEquals(5, sim.waveStarts.size());
        for (int w = 1; w < 5; w++) {
            Rollout.Wave prev = r.waves().get(w - 1);
            assertEquals(prev.successAt().plus(Duration.ofHours(1)), sim.waveStarts.get(w),
                    "wave " + (w + 1) + " starts at the first tick after the previous wave's soak");
        }
        Figures f = r.figures();
        assertEquals(FLEET, f.count(Phase.COMMITTED));
        assertEquals(FLEET, f.total());
        assertEquals(Duration.ofMillis(Rollout.median(sim.committedAt.entrySet().stream()
                .map(e -> Duration.between(sim.offeredAt.get(e.getKey()), e.getValue()).toMillis()).toList())), f.medianInstall());
        assertEquals(Rollout.State.COMPLETED, f.state());
    }

    @Test
    void failuresInAWave_pauseAtTheExactFailureThatReachesTheThreshold_noNextWave_resumeAcceptsThem() {
        ManualClock clock = new ManualClock(T0);
        List<String> ids = fleet();
        Rollout r = Rollout.start("r-fail", 7, ids, policy("10,1%,10%,100%", 90, 5, Duration.ofHours(2), Duration.ofHours(6)), clock);
        Rollout.Wave third = r.waves().get(2); // 900 gateways: 5% is 45 failures
        assertEquals(900, third.size());
        // 60 gateways of the third wave roll back, at distinct minutes so the 45th is identifiable
        List<String> failing = third.members().stream().map(Rollout.Member::gatewayId).limit(60).toList();
        Map<String, Fate> fates = new HashMap<>();
        for (int i = 0; i < failing.size(); i++) {
            fates.put(failing.get(i), Fate.rollsBack(5 + i));
        }
        FleetSimulation sim = new FleetSimulation(clock, r, id -> fates.getOrDefault(id, Fate.commits(3)));

        assertTrue(sim.runUntil(() -> r.state() == Rollout.State.PAUSED, Duration.ofDays(1)));
        long rolledBack = sim.reported.values().stream().filter(s -> s == UpdateState.ROLLED_BACK).count();
        assertEquals(45, rolledBack, "paused at the 45th failure, not before, not after");
        assertTrue(r.reason().startsWith("wave 3: 45 of 900 failed"), r.reason());
        assertNull(r.waves().get(3).startedAt(), "the fourth wave does not start");
        assertEquals(List.of(), r.due());

        sim.run(Duration.ofHours(12)); // paused: the 15 remaining failures still arrive, nothing else moves
        assertEquals(Rollout.State.PAUSED, r.state());
        assertNull(r.waves().get(3).startedAt());
        assertEquals(60, r.figures().count(Phase.ROLLED_BACK));

        assertTrue(r.resume());
        assertEquals(60, r.waves().get(2).failureBase(), "the 60 failures are accepted by the resume");
        assertTrue(sim.runUntil(() -> r.state() == Rollout.State.COMPLETED, Duration.ofDays(1)), r.figures().toString());
        assertEquals(List.of(), sim.violations);
        Figures f = r.figures();
        assertEquals(FLEET - 60, f.count(Phase.COMMITTED));
        assertEquals(60, f.count(Phase.ROLLED_BACK));
    }

    @Test
    void silentAndOfflineGateways_countAsFailedExactlyAtTheDeadline() {
        ManualClock clock = new ManualClock(T0);
        List<String> ids = fleet();
        Rollout r = Rollout.start("r-silent", 7, ids, policy("100,100%", 95, 3, Duration.ofMinutes(10), Duration.ofHours(4)), clock);
        // second wave: 9,900 gateways; 150 offline, 150 take the offer and go silent: 300 > 3% (297)
        List<String> second = r.waves().get(1).members().stream().map(Rollout.Member::gatewayId).toList();
        Set<String> offline = Set.copyOf(second.subList(0, 150));
        Set<String> silent = Set.copyOf(second.subList(150, 300));
        FleetSimulation sim = new FleetSimulation(clock, r,
                id -> offline.contains(id) ? Fate.offline() : silent.contains(id) ? Fate.silent() : Fate.commits(20));

        assertTrue(sim.runUntil(() -> r.waves().get(1).startedAt() != null, Duration.ofHours(2)));
        Instant secondStart = r.waves().get(1).startedAt();
        sim.runUntil(() -> !clock.instant().isBefore(secondStart.plus(Duration.ofHours(4)).minus(Duration.ofMinutes(1))), Duration.ofHours(5));
        assertEquals(Rollout.State.RUNNING, r.state(), "a minute before the deadline nobody is failed yet");
        Figures before = r.figures();
        assertEquals(0, before.count(Phase.TIMED_OUT));
        assertEquals(150, before.count(Phase.DUE), "the offline ones were never offered");
        assertEquals(150, before.count(Phase.ACCEPTED));

        sim.step(); // the deadline
        assertEquals(Rollout.State.PAUSED, r.state());
        assertTrue(r.reason().startsWith("wave 2: 300 of 9900 failed"), r.reason());
        Figures after = r.figures();
        assertEquals(300, after.count(Phase.TIMED_OUT));
        assertEquals(FLEET - 300, after.count(Phase.COMMITTED));
        assertEquals(0, after.count(Phase.DUE));
    }

    @Test
    void cancel_stopsEverything_andNamesTheGatewaysToTell() {
        ManualClock clock = new ManualClock(T0);
        List<String> ids = fleet();
        Map<String, Integer> minutes = installTimes(ids, 2);
        Rollout r = Rollout.start("r-cancel", 7, ids, policy("10,10%,100%", 95, 5, Duration.ofMinutes(30), Duration.ofHours(6)), clock);
        FleetSimulation sim = new FleetSimulation(clock, r, id -> Fate.commits(minutes.get(id)));
        assertTrue(sim.runUntil(() -> r.waves().get(1).startedAt() != null, Duration.ofHours(3)));
        sim.run(Duration.ofMinutes(10)); // the second wave is mid-way

        Map<UpdateState, Long> byState = sim.reported.values().stream().collect(Collectors.groupingBy(s -> s, () -> new EnumMap<>(UpdateState.class),
                Collectors.counting()));
        List<Rollout.Member> toCancel = r.cancel();
        long open = sim.reported.values().stream().filter(s -> !s.terminal()).count();
        assertEquals(open, toCancel.size(), "every offered gateway not yet final is told (none was applying in this simulation)");
        assertEquals(Rollout.State.CANCELLED, r.state());
        assertEquals(List.of(), r.cancel(), "a second cancel tells nobody again");
        assertFalse(r.resume());

        sim.run(Duration.ofDays(3));
        assertEquals(List.of(), r.due());
        assertNull(r.waves().get(2).startedAt(), "no wave starts after cancel");
        Figures f = r.figures();
        assertEquals(Rollout.State.CANCELLED, f.state());
        assertEquals(0, f.count(Phase.TIMED_OUT), "no deadline applies after cancel");
        assertEquals(FLEET - r.waves().get(0).size() - r.waves().get(1).size(), f.count(Phase.WAITING));
        // the simulated gateways carried on and committed (they ignored the cancel): recorded all the same
        assertEquals(sim.committedAt.size(), f.count(Phase.COMMITTED));
        assertTrue(byState.getOrDefault(UpdateState.COMMITTED, 0L) < f.count(Phase.COMMITTED));
    }

    @Test
    void aWaveThatEndsBelowItsSuccessThreshold_pauses_andAResumeAcceptsIt() {
        ManualClock clock = new ManualClock(T0);
        List<String> ids = fleet().subList(0, 1000);
        // failure threshold 10% but success 95%: 6% failing pauses nothing, yet the wave cannot succeed
        Rollout r = Rollout.start("r-below", 7, ids, policy("100,100%", 95, 10, Duration.ofMinutes(5), Duration.ofHours(2)), clock);
        Set<String> failing = r.waves().get(0).members().stream().limit(6).map(Rollout.Member::gatewayId).collect(Collectors.toSet());
        FleetSimulation sim = new FleetSimulation(clock, r, id -> failing.contains(id) ? Fate.rollsBack(4) : Fate.commits(3));
        assertTrue(sim.runUntil(() -> r.state() == Rollout.State.PAUSED, Duration.ofHours(1)));
        assertTrue(r.reason().startsWith("wave 1 ended below its success threshold: 94 of 100"), r.reason());
        assertNull(r.waves().get(1).startedAt());
        assertTrue(r.resume());
        assertTrue(r.waves().get(0).accepted());
        assertTrue(sim.runUntil(() -> r.state() == Rollout.State.COMPLETED, Duration.ofHours(3)));
        assertEquals(List.of(), sim.violations);
        assertEquals(994, r.figures().count(Phase.COMMITTED));
    }

    @Test
    void restore_fromWhatDrainReturned_givesTheSameRollout() {
        ManualClock clock = new ManualClock(T0);
        List<String> ids = fleet().subList(0, 2000);
        RolloutPolicy p = policy("20,50%,100%", 95, 5, Duration.ofMinutes(20), Duration.ofHours(3));
        Rollout r = Rollout.start("r-restore", 7, ids, p, clock);
        Map<String, Integer> minutes = installTimes(ids, 3);
        FleetSimulation sim = new FleetSimulation(clock, r, id -> Fate.commits(minutes.get(id)));
        sim.runUntil(() -> r.waves().get(1).startedAt() != null, Duration.ofHours(3));
        sim.run(Duration.ofMinutes(7));

        List<Rollout.StoredWave> waves = r.waves().stream().map(w -> new Rollout.StoredWave(w.index(), w.startedAt(), w.successAt(),
                w.failureBase(), w.accepted())).toList();
        List<Rollout.StoredMember> members = r.members().stream().map(m -> new Rollout.StoredMember(m.gatewayId(), m.wave(), m.offeredAt(),
                m.state(), m.failure(), m.stateAt(), m.timedOut())).toList();
        Rollout back = Rollout.restore("r-restore", 7, p, clock, r.state(), r.reason(), waves, members);
        assertEquals(r.figures(), back.figures());
        assertEquals(r.due().stream().map(Rollout.Member::gatewayId).toList(), back.due().stream().map(Rollout.Member::gatewayId).toList());
    }
}
