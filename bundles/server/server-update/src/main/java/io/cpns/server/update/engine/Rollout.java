package io.cpns.server.update.engine;

import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One rollout's state machine (docs/updates.md §5), pure: no I/O, no threads, time from the
 * injected {@link Clock}, so 10,000 gateways and days of soak run in a unit test. The caller
 * serializes calls (one rollout, one lock), sends what {@link #due()} and {@link #cancel()} name,
 * and persists what {@link #drain()} returns.
 *
 * <p>Rules: waves start in order. A wave meets its success threshold when enough of its gateways
 * report COMMITTED; the next wave starts once the current one has met it <em>and</em> its soak
 * time has passed since. The rollout pauses as soon as any started wave's failures (ROLLED_BACK,
 * REFUSED, FAILED, or silent past the deadline) reach its failure threshold, and when a wave has
 * every gateway final without meeting its success threshold (unlike hawkBit, a wave never
 * advances below it by itself). It completes once the last wave has met its threshold and soaked,
 * and every gateway is final (the deadline makes sure that happens). A resume accepts what is there: failures so far no longer count
 * against the threshold, a wave that ended below its success threshold is accepted, and the
 * deadlines of waves still in progress start again. Cancel stops every offer for good.
 */
public final class Rollout {
    public enum State {
        RUNNING, PAUSED, COMPLETED, CANCELLED;

        public boolean active() {
            return this == RUNNING || this == PAUSED;
        }
    }

    /** One target gateway. */
    public static final class Member {
        private final String gatewayId;
        private final int wave;
        private Instant offeredAt;
        private UpdateState state;
        private UpdateFailure failure;
        private Instant stateAt;
        private boolean timedOut;

        Member(String gatewayId, int wave) {
            this.gatewayId = gatewayId;
            this.wave = wave;
        }

        public String gatewayId() {
            return gatewayId;
        }

        public int wave() {
            return wave;
        }

        public Instant offeredAt() {
            return offeredAt;
        }

        public UpdateState state() {
            return state;
        }

        public UpdateFailure failure() {
            return failure;
        }

        public Instant stateAt() {
            return stateAt;
        }

        public boolean timedOut() {
            return timedOut;
        }

        boolean terminal() {
            return state != null && state.terminal();
        }

        Outcome outcome() {
            if (terminal()) {
                return switch (state) {
                    case COMMITTED -> Outcome.COMMITTED;
                    case CANCELLED -> Outcome.CANCELLED;
                    default -> Outcome.FAILED;
                };
            }
            return timedOut ? Outcome.FAILED : Outcome.OPEN;
        }
    }

    enum Outcome {
        OPEN, COMMITTED, FAILED, CANCELLED
    }

    /** One wave with running counts (kept as states change, so a status costs O(1), not O(fleet)). */
    public static final class Wave {
        private final int index;
        private final List<Member> members = new ArrayList<>();
        private Instant startedAt;
        private Instant successAt;
        private int failureBase;
        private boolean accepted;
        private int committed;
        private int failed;
        private int cancelled;
        private boolean deadlineApplied;

        Wave(int index) {
            this.index = index;
        }

        public int index() {
            return index;
        }

        public int size() {
            return members.size();
        }

        public List<Member> members() {
            return java.util.Collections.unmodifiableList(members);
        }

        public Instant startedAt() {
            return startedAt;
        }

        public Instant successAt() {
            return successAt;
        }

        public int failureBase() {
            return failureBase;
        }

        public boolean accepted() {
            return accepted;
        }

        boolean started() {
            return startedAt != null;
        }

        int finals() {
            return committed + failed + cancelled;
        }

        void count(Outcome o, int delta) {
            switch (o) {
                case COMMITTED -> committed += delta;
                case FAILED -> failed += delta;
                case CANCELLED -> cancelled += delta;
                default -> {
                }
            }
        }
    }

    /** What changed since the last {@link #drain()}: the caller writes exactly this. */
    public record Changes(boolean header, List<Wave> waves, List<Member> members) {
        public boolean isEmpty() {
            return !header && waves.isEmpty() && members.isEmpty();
        }
    }

    private final String id;
    private final long releaseSeq;
    private final RolloutPolicy policy;
    private final Clock clock;
    private final List<Wave> waves = new ArrayList<>();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private State state = State.RUNNING;
    private String reason;
    private boolean headerDirty;
    private final Set<Wave> dirtyWaves = new LinkedHashSet<>();
    private final Set<Member> dirtyMembers = new LinkedHashSet<>();

    private Rollout(String id, long releaseSeq, RolloutPolicy policy, Clock clock) {
        this.id = Objects.requireNonNull(id, "id");
        this.releaseSeq = releaseSeq;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A new rollout over {@code targets}: waves drawn by {@link Membership}, the first one started
     * now. Everything is dirty (the caller inserts it).
     *
     * @throws IllegalArgumentException no targets, or waves that do not fit
     */
    public static Rollout start(String id, long releaseSeq, Collection<String> targets, RolloutPolicy policy, Clock clock) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no gateway matches the target");
        }
        Rollout r = new Rollout(id, releaseSeq, policy, clock);
        List<String> order = Membership.order(id, targets);
        List<Integer> sizes = policy.waves().sizes(order.size());
        int next = 0;
        for (int w = 0; w < sizes.size(); w++) {
            Wave wave = new Wave(w);
            r.waves.add(wave);
            for (int i = 0; i < sizes.get(w); i++) {
                Member m = new Member(order.get(next++), w);
                wave.members.add(m);
                r.members.put(m.gatewayId, m);
            }
        }
        r.waves.get(0).startedAt = clock.instant();
        r.evaluate();
        r.drain();
        return r;
    }

    /** A stored wave, for {@link #restore}. */
    public record StoredWave(int index, Instant startedAt, Instant successAt, int failureBase, boolean accepted) {
    }

    /** A stored gateway, for {@link #restore}. */
    public record StoredMember(String gatewayId, int wave, Instant offeredAt, UpdateState state, UpdateFailure failure, Instant stateAt,
                               boolean timedOut) {
    }

    /** A rollout as stored (after a restart of the Server). */
    public static Rollout restore(String id, long releaseSeq, RolloutPolicy policy, Clock clock, State state, String reason,
                                  List<StoredWave> storedWaves, List<StoredMember> storedMembers) {
        Rollout r = new Rollout(id, releaseSeq, policy, clock);
        r.state = state;
        r.reason = reason;
        for (StoredWave s : storedWaves) {
            if (s.index() != r.waves.size()) {
                throw new IllegalArgumentException("rollout " + id + ": waves stored out of order");
            }
            Wave w = new Wave(s.index());
            w.startedAt = s.startedAt();
            w.successAt = s.successAt();
            w.failureBase = s.failureBase();
            w.accepted = s.accepted();
            r.waves.add(w);
        }
        for (StoredMember s : storedMembers) {
            Member m = new Member(s.gatewayId(), s.wave());
            m.offeredAt = s.offeredAt();
            m.state = s.state();
            m.failure = s.failure();
            m.stateAt = s.stateAt();
            m.timedOut = s.timedOut();
            Wave w = r.waves.get(s.wave());
            w.members.add(m);
            w.count(m.outcome(), 1);
            r.members.put(m.gatewayId, m);
        }
        for (Wave w : r.waves) {
            w.deadlineApplied = w.started() && w.members.stream().allMatch(m -> m.terminal() || m.timedOut);
        }
        return r;
    }

    // ---- what the Server does ----

    /** Gateways to offer the release to now: of started waves, not acknowledged, not final. Empty unless RUNNING. */
    public List<Member> due() {
        if (state != State.RUNNING) {
            return List.of();
        }
        List<Member> out = new ArrayList<>();
        for (Wave w : waves) {
            if (!w.started()) {
                break;
            }
            for (Member m : w.members) {
                if (m.offeredAt == null && m.state == null && !m.timedOut) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Whether {@code gateway} should be offered now (it is in {@link #due()}). */
    public boolean isDue(String gateway) {
        Member m = members.get(gateway);
        return state == State.RUNNING && m != null && waves.get(m.wave).started() && m.offeredAt == null && m.state == null && !m.timedOut;
    }

    /**
     * The gateway acknowledged the offer.
     *
     * @return false if the rollout was cancelled meanwhile: the caller sends it a cancel
     */
    public boolean offered(String gateway) {
        Member m = member(gateway);
        if (m.offeredAt == null) {
            m.offeredAt = clock.instant();
            dirtyMembers.add(m);
        }
        return state != State.CANCELLED;
    }

    /**
     * A status from the gateway. Out-of-order and repeated statuses change nothing; the first
     * final state stays. A gateway silent past its deadline that reports a final state later
     * counts with that state.
     *
     * @return whether the gateway's state changed
     * @throws IllegalArgumentException the gateway is not a target of this rollout
     */
    public boolean status(String gateway, UpdateState s, UpdateFailure failure) {
        Objects.requireNonNull(s, "state");
        Member m = member(gateway);
        if (!waves.get(m.wave).started()) {
            throw new IllegalArgumentException(gateway + " reports on rollout " + id + " before its wave started (never offered)");
        }
        if (m.terminal() || (m.state != null && !s.terminal() && s.ordinal() <= m.state.ordinal())) {
            return false;
        }
        Wave w = waves.get(m.wave);
        Outcome before = m.outcome();
        Instant now = clock.instant();
        if (m.offeredAt == null) {
            m.offeredAt = now; // the acknowledgement was lost, but the gateway has the offer
        }
        m.state = s;
        m.failure = failure;
        m.stateAt = now;
        dirtyMembers.add(m);
        w.count(before, -1);
        w.count(m.outcome(), 1);
        evaluate();
        return true;
    }

    /** Time passed: deadlines, soak, next wave. Call it periodically. */
    public void tick() {
        evaluate();
    }

    /** Operator pause (also while paused already: the reason changes). No effect once completed or cancelled. */
    public void pause(String why) {
        if (state.active()) {
            setState(State.PAUSED, why);
        }
    }

    /**
     * Operator resume: failures so far are accepted, a wave that ended below its success threshold
     * is accepted, deadlines of waves in progress start again.
     *
     * @return false if not paused
     */
    public boolean resume() {
        if (state != State.PAUSED) {
            return false;
        }
        Instant now = clock.instant();
        for (Wave w : waves) {
            if (!w.started()) {
                break;
            }
            if (w.failureBase != w.failed) {
                w.failureBase = w.failed;
                dirtyWaves.add(w);
            }
            if (w.successAt == null && w.finals() == w.size()) {
                w.accepted = true;
                dirtyWaves.add(w);
            }
            if (w.finals() < w.size()) {
                w.startedAt = now; // the deadline runs from here
                w.deadlineApplied = false;
                dirtyWaves.add(w);
            }
        }
        setState(State.RUNNING, null);
        evaluate();
        return true;
    }

    /**
     * Cancels for good.
     *
     * @return the gateways to send {@code update.cancel}: offered, not final, not yet applying
     *         (an update being applied or in trial is carried through by the gateway)
     */
    public List<Member> cancel() {
        if (!state.active()) {
            return List.of();
        }
        setState(State.CANCELLED, "cancelled by the operator");
        List<Member> out = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.offeredAt != null && !m.terminal() && m.state != UpdateState.APPLYING && m.state != UpdateState.TRIAL) {
                out.add(m);
            }
        }
        return out;
    }

    /** What changed since the last call. */
    public Changes drain() {
        Changes c = new Changes(headerDirty, List.copyOf(dirtyWaves), List.copyOf(dirtyMembers));
        headerDirty = false;
        dirtyWaves.clear();
        dirtyMembers.clear();
        return c;
    }

    // ---- rules ----

    private void evaluate() {
        if (state != State.RUNNING) {
            return;
        }
        Instant now = clock.instant();
        Wave current = null;
        for (Wave w : waves) {
            if (!w.started()) {
                break;
            }
            current = w;
            if (!w.deadlineApplied && !now.isBefore(w.startedAt.plus(policy.deadline()))) {
                applyDeadline(w, now);
            }
            if (w.failed - w.failureBase >= policy.failuresToPause(w.size())) {
                setState(State.PAUSED, "wave " + (w.index + 1) + ": " + w.failed + " of " + w.size() + " failed (failure threshold "
                        + policy.failurePercent() + "%)");
                return;
            }
        }
        if (current == null) {
            return;
        }
        if (current.successAt == null && (current.committed >= policy.successNeeded(current.size()) || current.accepted)) {
            current.successAt = now;
            dirtyWaves.add(current);
        }
        if (current.successAt == null) {
            if (current.finals() == current.size()) {
                setState(State.PAUSED, "wave " + (current.index + 1) + " ended below its success threshold: " + current.committed + " of "
                        + current.size() + " committed (" + policy.successPercent() + "% needed)");
            }
            return;
        }
        if (now.isBefore(current.successAt.plus(policy.soak()))) {
            return;
        }
        if (current.index + 1 < waves.size()) {
            Wave next = waves.get(current.index + 1);
            next.startedAt = now;
            dirtyWaves.add(next);
            evaluate(); // a next wave may already meet its threshold (e.g. its gateways reported early)
        } else if (waves.stream().allMatch(w -> w.finals() == w.size())) {
            setState(State.COMPLETED, "every wave met its success threshold and every gateway is final");
        }
    }

    /** Every gateway of the wave without a final state is now silent past its deadline: a failure. */
    private void applyDeadline(Wave w, Instant now) {
        for (Member m : w.members) {
            if (!m.terminal() && !m.timedOut) {
                w.count(m.outcome(), -1);
                m.timedOut = true;
                m.stateAt = now;
                w.count(m.outcome(), 1);
                dirtyMembers.add(m);
            }
        }
        w.deadlineApplied = true;
    }

    private void setState(State s, String why) {
        if (state != s || !Objects.equals(reason, why)) {
            state = s;
            reason = why;
            headerDirty = true;
        }
    }

    private Member member(String gateway) {
        Member m = members.get(gateway);
        if (m == null) {
            throw new IllegalArgumentException(gateway + " is not a target of rollout " + id);
        }
        return m;
    }

    // ---- reading ----

    public String id() {
        return id;
    }

    public long releaseSeq() {
        return releaseSeq;
    }

    public RolloutPolicy policy() {
        return policy;
    }

    public State state() {
        return state;
    }

    public String reason() {
        return reason;
    }

    public List<Wave> waves() {
        return List.copyOf(waves);
    }

    public Collection<Member> members() {
        return java.util.Collections.unmodifiableCollection(members.values());
    }

    public java.util.Optional<Member> find(String gateway) {
        return java.util.Optional.ofNullable(members.get(gateway));
    }

    /** Counts per phase, per wave, and the median install time. O(fleet). */
    public Figures figures() {
        Map<Phase, Integer> by = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            by.put(p, 0);
        }
        List<Long> installs = new ArrayList<>();
        for (Member m : members.values()) {
            by.merge(phase(m), 1, Integer::sum);
            if (m.state == UpdateState.COMMITTED && m.offeredAt != null) {
                installs.add(Duration.between(m.offeredAt, m.stateAt).toMillis());
            }
        }
        List<Figures.WaveFigures> wf = waves.stream().map(w -> new Figures.WaveFigures(w.index + 1, w.size(), w.startedAt, w.successAt,
                w.committed, w.failed, w.cancelled)).toList();
        return new Figures(state, reason, by, wf, installs.isEmpty() ? null : Duration.ofMillis(median(installs)));
    }

    private Phase phase(Member m) {
        if (m.terminal()) {
            return Phase.of(m.state);
        }
        if (m.timedOut) {
            return Phase.TIMED_OUT;
        }
        if (m.state != null) {
            return Phase.of(m.state);
        }
        if (m.offeredAt != null) {
            return Phase.OFFERED;
        }
        return waves.get(m.wave).started() ? Phase.DUE : Phase.WAITING;
    }

    /** The lower median of an even count: a time some gateway really took. */
    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get((sorted.size() - 1) / 2);
    }
}
