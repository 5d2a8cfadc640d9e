package io.cpns.server.update.engine;

import io.cpns.testkit.ManualClock;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * Simulated gateways around one {@link Rollout}, one simulated minute per step: the Server offers
 * what is due to the gateways that are online, each gateway follows its {@link Fate}, reporting
 * its states at the planned minutes. The simulation keeps its own record of what every gateway
 * reported, so the engine's figures can be checked against it.
 */
final class FleetSimulation {
    /** What one gateway does with an offer. */
    record Fate(boolean online, UpdateState end, UpdateFailure failure, int installMinutes) {
        static Fate commits(int minutes) {
            return new Fate(true, UpdateState.COMMITTED, null, minutes);
        }

        static Fate rollsBack(int minutes) {
            return new Fate(true, UpdateState.ROLLED_BACK, UpdateFailure.HEALTH_FAILED, minutes);
        }

        /** Takes the offer, reports ACCEPTED, then nothing. */
        static Fate silent() {
            return new Fate(true, null, null, 0);
        }

        /** Never connects: the offer never arrives. */
        static Fate offline() {
            return new Fate(false, null, null, 0);
        }
    }

    private record Report(Instant at, long order, String gateway, UpdateState state, UpdateFailure failure) {
    }

    final ManualClock clock;
    final Rollout rollout;
    private final Function<String, Fate> fates;
    private final PriorityQueue<Report> reports = new PriorityQueue<>(
            java.util.Comparator.comparing(Report::at).thenComparingLong(Report::order));
    private long order;
    /** What each gateway last reported, by the simulation's own account. */
    final Map<String, UpdateState> reported = new HashMap<>();
    final Map<String, Instant> offeredAt = new HashMap<>();
    final Map<String, Instant> committedAt = new HashMap<>();
    /** Minute at which each wave started, as observed after each step. */
    final Map<Integer, Instant> waveStarts = new HashMap<>();
    /** Per wave start: the previous wave's committed count and success time at that moment. */
    final List<String> violations = new ArrayList<>();

    FleetSimulation(ManualClock clock, Rollout rollout, Function<String, Fate> fates) {
        this.clock = clock;
        this.rollout = rollout;
        this.fates = fates;
        observeWaves();
    }

    /** One simulated minute: due offers, reports that fall due, a tick. */
    void step() {
        clock.advance(Duration.ofMinutes(1));
        for (Rollout.Member m : rollout.due()) {
            Fate f = fates.apply(m.gatewayId());
            if (!f.online()) {
                continue;
            }
            rollout.offered(m.gatewayId());
            offeredAt.put(m.gatewayId(), clock.instant());
            schedule(m.gatewayId(), 0, UpdateState.ACCEPTED, null);
            if (f.end() != null) {
                schedule(m.gatewayId(), Math.max(1, f.installMinutes() / 2), UpdateState.DOWNLOADING, null);
                schedule(m.gatewayId(), f.installMinutes(), f.end(), f.failure());
            }
        }
        while (!reports.isEmpty() && !reports.peek().at().isAfter(clock.instant())) {
            Report r = reports.poll();
            UpdateState before = reported.get(r.gateway());
            if (before != null && before.terminal()) {
                continue;
            }
            reported.put(r.gateway(), r.state());
            if (r.state() == UpdateState.COMMITTED) {
                committedAt.put(r.gateway(), clock.instant());
            }
            rollout.status(r.gateway(), r.state(), r.failure());
            observeWaves();
        }
        rollout.tick();
        observeWaves();
    }

    void run(Duration d) {
        for (long i = 0; i < d.toMinutes(); i++) {
            step();
        }
    }

    /** Runs until {@code done} holds or {@code limit} has passed; returns whether it held. */
    boolean runUntil(java.util.function.BooleanSupplier done, Duration limit) {
        for (long i = 0; i < limit.toMinutes(); i++) {
            if (done.getAsBoolean()) {
                return true;
            }
            step();
        }
        return done.getAsBoolean();
    }

    private void schedule(String gateway, int minutes, UpdateState s, UpdateFailure f) {
        reports.add(new Report(clock.instant().plus(Duration.ofMinutes(minutes)), order++, gateway, s, f));
    }

    /**
     * Records each wave's start when first seen, and checks the rule at that moment: the previous
     * wave met its success threshold and its soak has passed.
     */
    private void observeWaves() {
        List<Rollout.Wave> waves = rollout.waves();
        for (Rollout.Wave w : waves) {
            if (w.startedAt() != null && !waveStarts.containsKey(w.index())) {
                waveStarts.put(w.index(), w.startedAt());
                if (w.index() > 0) {
                    Rollout.Wave prev = waves.get(w.index() - 1);
                    int committedInPrev = (int) prev.members().stream().filter(m -> reported.get(m.gatewayId()) == UpdateState.COMMITTED).count();
                    int needed = (int) Math.ceil(prev.size() * rollout.policy().successPercent() / 100.0);
                    if (committedInPrev < needed && !prev.accepted()) {
                        violations.add("wave " + (w.index() + 1) + " started with " + committedInPrev + " of " + prev.size()
                                + " committed in the previous wave (" + needed + " needed)");
                    }
                    if (prev.successAt() == null || w.startedAt().isBefore(prev.successAt().plus(rollout.policy().soak()))) {
                        violations.add("wave " + (w.index() + 1) + " started at " + w.startedAt() + " before the previous wave's soak ended");
                    }
                }
            }
        }
    }
}
