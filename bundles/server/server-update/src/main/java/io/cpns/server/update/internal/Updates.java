package io.cpns.server.update.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.InstalledBundle;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateCancel;
import io.cpns.api.message.UpdateInventory;
import io.cpns.api.message.UpdateInventoryRequest;
import io.cpns.api.message.UpdateOffer;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import io.cpns.server.store.UpdateStore;
import io.cpns.server.store.UpdateStore.MemberRow;
import io.cpns.server.store.UpdateStore.ReleaseRow;
import io.cpns.server.store.UpdateStore.RolloutRow;
import io.cpns.server.store.UpdateStore.StatusRow;
import io.cpns.server.store.UpdateStore.StoredRollout;
import io.cpns.server.store.UpdateStore.WaveRow;
import io.cpns.server.update.GatewayProgress;
import io.cpns.server.update.RolloutRequest;
import io.cpns.server.update.RolloutView;
import io.cpns.server.update.Target;
import io.cpns.server.update.engine.Figures;
import io.cpns.server.update.engine.Phase;
import io.cpns.server.update.engine.Rollout;
import io.cpns.server.update.engine.RolloutPolicy;
import io.cpns.server.update.engine.WavePlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The Server's side of updates without OSGi: rollouts held in memory as {@link Rollout} engines
 * and written through to the {@link UpdateStore}, offers and cancels sent over a
 * {@link GatewayLink}, statuses and inventories taken in. Each rollout is changed under its own
 * lock; a write that fails reloads the rollout from the database, so memory never runs ahead of
 * what is stored.
 */
public final class Updates {
    /** Sends to gateways over their sessions. */
    public interface GatewayLink {
        /** Entity IDs with an authenticated session now. */
        Set<String> connected();

        /** A request on the gateway's session; completes with its answer or a {@link CpnsException}. */
        CompletionStage<Message> send(String gateway, Message request);
    }

    /** Resolves a {@link Target} to gateway Entity IDs. */
    public interface Targets {
        /** @throws CpnsException {@code UNKNOWN_ENTITY} or {@code INVALID_ARGUMENT}, with what is wrong */
        List<String> resolve(Target target);
    }

    /** Where the Server's log lines go. */
    public interface Log {
        void info(String line);

        void warn(String line);
    }

    /**
     * @param artifactBase HTTPS base the offers carry, ending in '/': {@code artifactBase + releaseSeq + "/" + file}
     *                     is a jar; null while there is no artifact endpoint (offers wait)
     * @param retry        time before an offer that found no session or timed out is tried again on a tick
     */
    public record Settings(Supplier<String> artifactBase, Duration retry) {
    }

    private static final Set<ErrorCode> TRANSIENT = Set.of(ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.BUSY, ErrorCode.RATE_LIMITED);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final UpdateStore store;
    private final Targets targets;
    private final GatewayLink link;
    private final Clock clock;
    private final Settings settings;
    private final Log log;
    /** Every rollout read so far; the active ones are ticked. */
    private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();
    private final Map<String, RolloutRow> rows = new ConcurrentHashMap<>();
    private final Map<Long, ReleaseRow> releases = new ConcurrentHashMap<>();
    /** Offers sent and not yet answered, and when each offer was last tried: rolloutId + '\0' + gateway. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> lastTry = new ConcurrentHashMap<>();

    public Updates(UpdateStore store, Targets targets, GatewayLink link, Clock clock, Settings settings, Log log) {
        this.store = store;
        this.targets = targets;
        this.link = link;
        this.clock = clock;
        this.settings = settings;
        this.log = log;
        for (String id : store.rolloutsIn(List.of(Rollout.State.RUNNING.name(), Rollout.State.PAUSED.name()))) {
            load(id);
        }
    }

    // ---- releases ----

    public List<ReleaseRow> releases() {
        return store.releases();
    }

    /** Whether a published release lists {@code file} (for the artifact endpoint; an unknown release is not remembered). */
    public boolean lists(long seq, String file) {
        ReleaseRow r = releases.get(seq);
        if (r == null) {
            Optional<ReleaseRow> stored = store.release(seq);
            if (stored.isEmpty()) {
                return false;
            }
            r = stored.get();
            releases.put(seq, r);
        }
        return r.files().stream().anyMatch(f -> f.file().equals(file));
    }

    private ReleaseRow release(long seq) {
        return releases.computeIfAbsent(seq, s -> store.release(s).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY,
                "no release " + s + " is published (server:releases lists them)")));
    }

    // ---- rollouts: operator ----

    public RolloutView start(RolloutRequest q) {
        ReleaseRow release = release(q.releaseSeq());
        if (Instant.ofEpochSecond(release.expires()).isBefore(clock.instant())) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "release " + q.releaseSeq() + " expired at "
                    + Instant.ofEpochSecond(release.expires()) + ": gateways would refuse it (EXPIRED); sign a new one");
        }
        RolloutPolicy policy;
        try {
            policy = new RolloutPolicy(WavePlan.parse(q.waves()), q.successPercent(), q.failurePercent(), q.soak(), q.deadline(), q.window());
        } catch (IllegalArgumentException e) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        Instant now = clock.instant();
        String id = q.rolloutId() != null ? q.rolloutId() : "r" + q.releaseSeq() + "-" + ID_TIME.format(now);
        EntityId.of(id); // Entity ID syntax: INVALID_ARGUMENT otherwise
        List<String> gateways = targets.resolve(q.target());
        Rollout r;
        try {
            r = Rollout.start(id, q.releaseSeq(), gateways, policy, clock);
        } catch (IllegalArgumentException e) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + " (target " + q.target() + ")");
        }
        RolloutRow row = new RolloutRow(id, q.releaseSeq(), q.target().toString(), policy.waves().toString(), q.successPercent(),
                q.failurePercent(), q.soak().toMillis(), q.deadline().toMillis(), q.window(), r.state().name(), r.reason(), now, now);
        List<WaveRow> waves = r.waves().stream().map(Updates::waveRow).toList();
        List<MemberRow> members = r.members().stream().map(Updates::memberRow).toList();
        if (!store.insertRollout(row, waves, members)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "rollout " + id + " exists already; choose another ID");
        }
        rows.put(id, row);
        rollouts.put(id, r);
        log.info("rollout " + id + " of release " + q.releaseSeq() + " started: " + gateways.size() + " gateway(s) of " + q.target()
                + " in " + waves.size() + " wave(s) " + policy.waves() + ", success " + q.successPercent() + "%, failure "
                + q.failurePercent() + "%, soak " + q.soak() + ", deadline " + q.deadline()
                + (q.window() == null ? "" : ", window " + q.window()));
        offerDue(r, link.connected());
        return view(r);
    }

    public Optional<RolloutView> rollout(String id) {
        return find(id).map(this::view);
    }

    public List<RolloutView> rollouts() {
        List<RolloutView> out = new ArrayList<>();
        for (RolloutRow row : store.rollouts()) {
            find(row.rolloutId()).ifPresent(r -> out.add(view(r)));
        }
        return out;
    }

    public RolloutView pause(String id) {
        Rollout r = existing(id);
        synchronized (r) {
            if (!r.state().active()) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "rollout " + id + " is " + r.state() + ": nothing to pause");
            }
            r.pause("paused by the operator");
            persist(r, null);
        }
        log.info("rollout " + id + " paused by the operator");
        return view(r);
    }

    public RolloutView resume(String id) {
        Rollout r = existing(id);
        synchronized (r) {
            if (!r.resume()) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "rollout " + id + " is " + r.state() + ", not PAUSED");
            }
            persist(r, null);
        }
        log.info("rollout " + id + " resumed by the operator: failures so far accepted, deadlines of waves in progress restarted");
        offerDue(r, link.connected());
        return view(r);
    }

    public RolloutView cancel(String id) {
        Rollout r = existing(id);
        List<Rollout.Member> tell;
        synchronized (r) {
            if (!r.state().active()) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "rollout " + id + " is " + r.state() + ": nothing to cancel");
            }
            tell = r.cancel();
            persist(r, null);
        }
        log.info("rollout " + id + " cancelled by the operator: update.cancel to " + tell.size() + " gateway(s) not yet applying");
        tell.forEach(m -> sendCancel(id, m.gatewayId()));
        return view(r);
    }

    public Optional<GatewayProgress> progress(String id, EntityId gateway) {
        return find(id).flatMap(r -> {
            Optional<Rollout.Member> m;
            synchronized (r) {
                m = r.find(gateway.value());
            }
            return m.map(x -> new GatewayProgress(id, x.gatewayId(), x.wave() + 1, phase(r, x), x.offeredAt(),
                    store.statuses(id, gateway).stream().map(s -> new GatewayProgress.Step(s.state(), s.failure(), s.detail(), s.receivedAt()))
                            .toList()));
        });
    }

    private static String phase(Rollout r, Rollout.Member m) {
        if (m.state() != null && m.state().terminal()) {
            return m.state().name();
        }
        if (m.timedOut()) {
            return Phase.TIMED_OUT.name();
        }
        if (m.state() != null) {
            return m.state().name();
        }
        if (m.offeredAt() != null) {
            return Phase.OFFERED.name();
        }
        return r.waves().get(m.wave()).startedAt() == null ? Phase.WAITING.name() : Phase.DUE.name();
    }

    // ---- time and sessions ----

    /** Periodic: deadlines, soak, next waves, offers to connected gateways that are due. */
    public void tick() {
        Set<String> connected = link.connected();
        for (Rollout r : rollouts.values()) {
            if (!r.state().active()) {
                continue;
            }
            synchronized (r) {
                Rollout.State before = r.state();
                r.tick();
                try {
                    persist(r, null);
                } catch (CpnsException e) {
                    log.warn("rollout " + r.id() + ": could not store its progress (" + e.getMessage() + "); trying again at the next tick");
                    continue;
                }
                if (r.state() != before) {
                    log.info("rollout " + r.id() + " is " + r.state() + (r.reason() == null ? "" : ": " + r.reason()));
                }
            }
            offerDue(r, connected);
        }
    }

    /** A gateway authenticated: offer what is due to it at once (it may have been offline). */
    public void connected(EntityId gateway) {
        for (Rollout r : rollouts.values()) {
            boolean due;
            synchronized (r) {
                due = r.isDue(gateway.value());
            }
            if (due) {
                lastTry.remove(key(r.id(), gateway.value())); // a new session: no need to wait for the retry time
                offer(r, gateway.value());
            }
        }
    }

    private void offerDue(Rollout r, Set<String> connected) {
        List<Rollout.Member> due;
        synchronized (r) {
            due = r.due();
        }
        Instant now = clock.instant();
        for (Rollout.Member m : due) {
            if (connected.contains(m.gatewayId())) {
                Instant last = lastTry.get(key(r.id(), m.gatewayId()));
                if (last == null || !now.isBefore(last.plus(settings.retry()))) {
                    offer(r, m.gatewayId());
                }
            }
        }
    }

    private void offer(Rollout r, String gateway) {
        String key = key(r.id(), gateway);
        String base = settings.artifactBase().get();
        if (base == null) {
            log.warn("rollout " + r.id() + ": no artifact endpoint (cpns.server.artifacts) to put in offers; offers wait for it");
            return;
        }
        if (!inFlight.add(key)) {
            return;
        }
        lastTry.put(key, clock.instant());
        ReleaseRow rel = release(r.releaseSeq());
        UpdateOffer offer = new UpdateOffer(r.id(), rel.manifest(), rel.manifestSignature(), rel.releaseKeys(), rel.releaseKeysSignature(),
                base + rel.releaseSeq() + "/", r.policy().window());
        link.send(gateway, offer).whenComplete((answer, failure) -> {
            inFlight.remove(key);
            try {
                offerAnswered(r, gateway, answer, failure);
            } catch (RuntimeException e) {
                log.warn("rollout " + r.id() + ": the answer of " + gateway + " to the offer could not be recorded: " + e);
            }
        });
    }

    private void offerAnswered(Rollout r, String gateway, Message answer, Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause != null) {
            CpnsException e = cause instanceof CpnsException c ? c : new CpnsException(ErrorCode.INTERNAL, String.valueOf(cause));
            if (TRANSIENT.contains(e.code())) {
                return; // offered again at its next session or the next tick after the retry time
            }
            // the gateway refused the offer itself (e.g. no update agent): a final failure for this rollout
            String detail = Strings.printable("offer refused: " + e.code() + " " + e.getMessage());
            apply(r, gateway, UpdateState.FAILED, null, detail.length() > 160 ? detail.substring(0, 160) : detail, clock.millis());
            log.info("rollout " + r.id() + ": " + gateway + " " + detail);
            return;
        }
        if (answer instanceof UpdateStatus s) { // a refusal made at once (docs/updates.md §3)
            status(gateway, s);
            return;
        }
        if (!(answer instanceof Ack)) {
            log.warn("rollout " + r.id() + ": " + gateway + " answered the offer with " + answer.getClass().getSimpleName() + ", not ack");
            return;
        }
        boolean wanted;
        synchronized (r) {
            wanted = r.offered(gateway);
            persist(r, null);
        }
        if (!wanted) {
            sendCancel(r.id(), gateway); // cancelled while the offer was on its way
        }
    }

    private void sendCancel(String rolloutId, String gateway) {
        link.send(gateway, new UpdateCancel(rolloutId)).whenComplete((a, x) -> {
            if (x != null) {
                log.info("rollout " + rolloutId + ": update.cancel to " + gateway + " not delivered (" + Failures.cause(x)
                        + "); it reports its state, and is offered nothing more");
            }
        });
    }

    // ---- from gateways ----

    /**
     * {@code update.status} from {@code gateway}: recorded once per state, whatever the rollout's
     * state (a late final state still counts).
     *
     * @throws CpnsException {@code UNKNOWN_ENTITY} for an unknown rollout, {@code INVALID_ARGUMENT}
     *         if the gateway is not its target, or the release sequence is not the rollout's (0 is
     *         taken as the rollout's for REFUSED and CANCELLED: docs/protocol.md §4.9)
     */
    public Message status(String gateway, UpdateStatus s) {
        Rollout r = find(s.rolloutId()).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no rollout " + s.rolloutId()));
        // 0: the gateway refused (or dropped) the offer before it could trust the manifest's sequence
        boolean unknownSeq = s.releaseSeq() == 0 && (s.state() == UpdateState.REFUSED || s.state() == UpdateState.CANCELLED);
        if (s.releaseSeq() != r.releaseSeq() && !unknownSeq) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "rollout " + s.rolloutId() + " is release " + r.releaseSeq() + ", not "
                    + s.releaseSeq());
        }
        if (s.detail() != null && s.detail().length() > 160) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "status detail longer than 160 characters");
        }
        apply(r, gateway, s.state(), s.failure(), s.detail() == null ? null : Strings.printable(s.detail()), s.at());
        return new Ack();
    }

    private void apply(Rollout r, String gateway, UpdateState state, UpdateFailure failure, String detail, long gatewayAt) {
        Rollout.State before;
        synchronized (r) {
            before = r.state();
            try {
                r.status(gateway, state, failure);
            } catch (IllegalArgumentException e) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
            }
            persist(r, new StatusRow(r.id(), gateway, state.name(), r.releaseSeq(), failure == null ? null : failure.name(), detail, gatewayAt,
                    clock.instant()));
        }
        if (state.terminal() && state != UpdateState.COMMITTED) {
            log.info("rollout " + r.id() + ": " + gateway + " " + state + (failure == null ? "" : " " + failure)
                    + (detail == null ? "" : " (" + detail + ")"));
        }
        if (r.state() != before) {
            log.info("rollout " + r.id() + " is " + r.state() + (r.reason() == null ? "" : ": " + r.reason()));
        }
    }

    /** {@code update.inventory.report} from {@code gateway}: stored, replacing the previous one. */
    public Message inventory(String gateway, GatewayInventory inv) {
        store.putInventory(inventoryRow(gateway, inv));
        return new Ack();
    }

    public CompletionStage<GatewayInventory> requestInventory(EntityId gateway) {
        return link.send(gateway.value(), new UpdateInventoryRequest()).thenApply(m -> {
            if (!(m instanceof UpdateInventory inv)) {
                throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, gateway + " answered " + m.getClass().getSimpleName());
            }
            store.putInventory(inventoryRow(gateway.value(), inv.inventory()));
            return inv.inventory();
        });
    }

    public Optional<UpdateStore.InventoryRow> inventory(EntityId gateway) {
        return store.inventory(gateway);
    }

    private UpdateStore.InventoryRow inventoryRow(String gateway, GatewayInventory inv) {
        List<UpdateStore.InventoryBundle> bundles = new ArrayList<>();
        for (InstalledBundle b : inv.bundles()) {
            bundles.add(new UpdateStore.InventoryBundle(Strings.printable(b.symbolicName()), Strings.printable(b.version()),
                    Strings.printable(b.state()), b.startLevel(), b.managed()));
        }
        return new UpdateStore.InventoryRow(gateway, inv.committedSeq(), inv.ready(), inv.rolloutId(), inv.state() == null ? null
                : inv.state().name(), clock.instant(), bundles);
    }

    // ---- storage ----

    private void persist(Rollout r, StatusRow status) {
        Rollout.Changes c = r.drain();
        if (c.isEmpty() && status == null) {
            return;
        }
        RolloutRow row = null;
        if (c.header()) {
            RolloutRow old = rows.get(r.id());
            row = new RolloutRow(r.id(), r.releaseSeq(), old.target(), old.waves(), old.successPercent(), old.failurePercent(), old.soakMillis(),
                    old.deadlineMillis(), old.window(), r.state().name(), r.reason(), old.createdAt(), clock.instant());
        }
        try {
            store.updateRollout(r.id(), row, c.waves().stream().map(Updates::waveRow).toList(), c.members().stream().map(Updates::memberRow)
                    .toList(), status);
            if (row != null) {
                rows.put(r.id(), row);
            }
        } catch (RuntimeException e) {
            rollouts.remove(r.id()); // memory ran ahead of the database: read it again at the next use
            load(r.id());
            throw e;
        }
    }

    private Optional<Rollout> find(String id) {
        Rollout r = rollouts.get(id);
        return r != null ? Optional.of(r) : load(id);
    }

    private Rollout existing(String id) {
        return find(id).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no rollout " + id + " (server:rollouts lists them)"));
    }

    private synchronized Optional<Rollout> load(String id) {
        Rollout cached = rollouts.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<StoredRollout> s = store.rollout(id);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        RolloutRow row = s.get().rollout();
        RolloutPolicy policy = new RolloutPolicy(WavePlan.parse(row.waves()), row.successPercent(), row.failurePercent(),
                Duration.ofMillis(row.soakMillis()), Duration.ofMillis(row.deadlineMillis()), row.window());
        Rollout r = Rollout.restore(id, row.releaseSeq(), policy, clock, Rollout.State.valueOf(row.state()), row.reason(),
                s.get().waves().stream().map(w -> new Rollout.StoredWave(w.wave(), instant(w.startedAt()), instant(w.successAt()),
                        w.failureBase(), w.accepted())).toList(),
                s.get().members().stream().map(m -> new Rollout.StoredMember(m.gatewayId(), m.wave(), instant(m.offeredAt()),
                        m.state() == null ? null : UpdateState.valueOf(m.state()), m.failure() == null ? null : UpdateFailure.valueOf(m.failure()),
                        instant(m.stateAt()), m.timedOut())).toList());
        rows.put(id, row);
        rollouts.put(id, r);
        return Optional.of(r);
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    private static Long ms(Instant i) {
        return i == null ? null : i.toEpochMilli();
    }

    private static WaveRow waveRow(Rollout.Wave w) {
        return new WaveRow(w.index(), w.size(), ms(w.startedAt()), ms(w.successAt()), w.failureBase(), w.accepted());
    }

    private static MemberRow memberRow(Rollout.Member m) {
        return new MemberRow(m.gatewayId(), m.wave(), ms(m.offeredAt()), m.state() == null ? null : m.state().name(),
                m.failure() == null ? null : m.failure().name(), ms(m.stateAt()), m.timedOut());
    }

    private RolloutView view(Rollout r) {
        Figures f;
        synchronized (r) {
            f = r.figures();
        }
        RolloutRow row = rows.get(r.id());
        Map<String, Integer> by = new LinkedHashMap<>();
        f.byPhase().forEach((p, n) -> by.put(p.name(), n));
        return new RolloutView(r.id(), r.releaseSeq(), row.target(), row.waves(), row.successPercent(), row.failurePercent(),
                Duration.ofMillis(row.soakMillis()), Duration.ofMillis(row.deadlineMillis()), row.window(), f.state().name(), f.reason(),
                row.createdAt(), by, f.waves().stream().map(w -> new RolloutView.WaveView(w.wave(), w.size(), w.startedAt(), w.successAt(),
                        w.committed(), w.failed(), w.cancelled())).toList(), f.medianInstall());
    }

    private static String key(String rolloutId, String gateway) {
        return rolloutId + "\u0000" + gateway;
    }
}
