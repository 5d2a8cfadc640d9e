package io.cpns.gw.update;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateCancel;
import io.cpns.api.message.UpdateInventory;
import io.cpns.api.message.UpdateOffer;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import io.cpns.update.journal.BundleSet;
import io.cpns.update.journal.FileInstallGuard;
import io.cpns.update.journal.Journal;
import io.cpns.update.journal.Phase;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;

/**
 * The update agent's logic (docs/updates.md §3, §4): offers in, statuses out, and one update at a
 * time carried out on its own thread ({@code cpns-gw-update}): download, check, stage, journal,
 * apply (hot, or by a restart of the framework through the launcher), trial, commit or roll back.
 * Everything it must not forget is on disk (the journal, the sets, the baseline, the history), so
 * it carries on from there after a restart, a power cut, or an update of this very bundle.
 *
 * <p>{@link #offer}, {@link #cancel} and {@link #inventory} are called on gw-link's thread for the
 * Server's requests: they only check, record and hand over, and return at once.
 */
final class Agent {
    private static final Message ACK = new Ack();

    /** An offer being carried out, from its acceptance until its outcome is recorded. */
    private static final class Current {
        final String rollout;
        final long seq;
        final ReleaseManifest manifest;
        final String hash;
        final String artifactUrl;
        final MaintenanceWindow window;
        final AtomicBoolean cancel = new AtomicBoolean();
        volatile UpdateState state = UpdateState.ACCEPTED;
        volatile boolean applying;

        Current(String rollout, long seq, ReleaseManifest manifest, String hash, String artifactUrl, MaintenanceWindow window) {
            this.rollout = rollout;
            this.seq = seq;
            this.manifest = manifest;
            this.hash = hash;
            this.artifactUrl = artifactUrl;
            this.window = window;
        }
    }

    private final BundleContext ctx;
    private final Path updateDir;
    private final Services services;
    private final ReleaseCheck check;
    private final Logger log;
    private final History history;
    private final Reporter reporter;
    private final Applier applier;
    private final Supplier<Path> operatorCa;
    private final boolean restartable;
    private final String booted;
    private final String noRootKey;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cpns-gw-update");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private volatile Settings settings;
    private Journal journal; // guarded by lock
    private Current current; // guarded by lock
    private volatile Set<String> managed = Set.of();

    /**
     * @param noRootKey why every offer is refused (no root key pinned, or an unreadable one), or null
     */
    Agent(BundleContext ctx, Path updateDir, Services services, ReleaseCheck check, Settings settings, Logger log,
          Supplier<Path> operatorCa, FileInstallGuard fileInstall, String noRootKey) throws IOException {
        this.ctx = ctx;
        this.updateDir = updateDir;
        this.services = services;
        this.check = check;
        this.settings = settings;
        this.log = log;
        this.operatorCa = operatorCa;
        this.noRootKey = noRootKey;
        this.restartable = Boolean.parseBoolean(ctx.getProperty("cpns.update.restartable"));
        this.booted = String.valueOf(ctx.getProperty("cpns.update.booted"));
        this.journal = Journal.read(updateDir);
        this.history = new History(updateDir);
        this.applier = new Applier(ctx, updateDir, settings.restartClass(), fileInstall);
        this.reporter = new Reporter(services, history, this::inventoryNow, this::currentStatus, log, settings.statusRetry());
        this.managed = managedNow(journal);
    }

    /** Carries on with what the journal says was under way (on the agent's thread). */
    void start() {
        run(this::resume);
    }

    void configure(Settings s) {
        settings = s;
    }

    void stop() {
        worker.shutdownNow();
        reporter.close();
    }

    /** Symbolic names under remote management (FileInstall keeps off them). */
    Set<String> managed() {
        return managed;
    }

    // ---- the Server's requests (gw-link's thread) ----

    Message offer(UpdateOffer o) {
        String rollout = o.rolloutId();
        synchronized (lock) {
            if (history.find(rollout).isPresent()) {
                return again(rollout);
            }
            if (current != null && current.rollout.equals(rollout) || journal.phase() != Phase.IDLE && journal.rollout().equals(rollout)) {
                return ACK; // carrying it out: the statuses follow
            }
        }
        if (noRootKey != null) {
            return refuse(rollout, check.releaseSeqOf(o), UpdateFailure.UNKNOWN_KEY, noRootKey);
        }
        ReleaseCheck.Verified v;
        long committedSeq;
        long keysSeq;
        synchronized (lock) {
            committedSeq = journal.committedSeq();
            keysSeq = journal.keysSeq();
        }
        try {
            v = check.verify(o, committedSeq, keysSeq);
        } catch (UpdateException e) {
            return refuse(rollout, check.releaseSeqOf(o), e.failure, e.detail);
        }
        ReleaseManifest m = v.manifest();
        MaintenanceWindow window;
        try {
            window = MaintenanceWindow.parse(o.window());
        } catch (IllegalArgumentException e) {
            return refuse(rollout, m.releaseSeq(), UpdateFailure.MALFORMED, e.getMessage());
        }
        for (BundleEntry b : m.bundles()) {
            try {
                BundleSet.safeFile(b.file());
            } catch (IllegalArgumentException e) {
                return refuse(rollout, m.releaseSeq(), UpdateFailure.MALFORMED, b.symbolicName() + ": " + e.getMessage());
            }
        }
        String hash = sha256(o.manifest());
        Current c;
        synchronized (lock) {
            if (journal.isBad(hash)) {
                return refuse(rollout, m.releaseSeq(), UpdateFailure.KNOWN_BAD, "release " + m.releaseSeq()
                        + " was rolled back here before; it is not tried again (publish a new release)");
            }
            if (current != null || journal.phase() != Phase.IDLE) {
                String busy = current != null ? "release " + current.seq + " (rollout " + current.rollout + ") is " + current.state
                        : "release " + journal.seq() + " (rollout " + journal.rollout() + ") is " + journal.phase();
                // not this rollout's outcome: nothing is recorded, and the Server offers it again later (docs/updates.md §5.5)
                log.info("offer of rollout {} answered BUSY: {}", Strings.clip(rollout), busy);
                throw new CpnsException(ErrorCode.BUSY, busy + ": offer it again once that ends");
            }
            if (m.needsRestart() && !restartable) {
                return refuse(rollout, m.releaseSeq(), UpdateFailure.INCOMPATIBLE, "it needs a restart of the framework and this runtime"
                        + " was not started by the CPNS launcher");
            }
            try {
                if (v.keys().keysSeq() > journal.keysSeq()) {
                    write(journal.withKeysSeq(v.keys().keysSeq())); // a revocation holds from now on, whatever this release does
                }
            } catch (IOException e) {
                log.warn("offer of rollout {} answered BUSY: cannot write the update journal: {}", Strings.clip(rollout), e.toString());
                throw new CpnsException(ErrorCode.BUSY, "cannot write the update journal: " + e.getMessage());
            }
            c = new Current(rollout, m.releaseSeq(), m, hash, o.artifactUrl(), window);
            current = c;
        }
        log.info("release {} ({}, {} bundles) of rollout {} accepted; window {}", m.releaseSeq(), Strings.clip(m.name()),
                m.bundles().size(), Strings.clip(rollout), window);
        progress(c, UpdateState.ACCEPTED, null);
        if (!run(() -> carryOut(c))) {
            synchronized (lock) {
                current = null;
            }
        }
        return ACK;
    }

    Message cancel(UpdateCancel cancel) {
        String rollout = cancel.rolloutId();
        synchronized (lock) {
            if (current != null && current.rollout.equals(rollout)) {
                if (!current.applying) {
                    current.cancel.set(true);
                    log.info("rollout {} cancelled by the Server", Strings.clip(rollout));
                }
                return ACK; // once applying, carried through to COMMITTED or ROLLED_BACK
            }
            if (journal.phase() != Phase.IDLE && journal.rollout().equals(rollout)) {
                return ACK;
            }
        }
        if (history.find(rollout).isPresent()) {
            return again(rollout);
        }
        terminal(rollout, 0, UpdateState.CANCELLED, null, "no offer of this rollout was being carried out here");
        return ACK;
    }

    Message inventory() {
        return new UpdateInventory(inventoryNow());
    }

    void authenticated() {
        reporter.authenticated();
    }

    void bundlesChanged() {
        reporter.inventoryChanged();
    }

    // ---- carrying an offer out (the agent's thread) ----

    private void carryOut(Current c) {
        Path downloads = updateDir.resolve("downloads").resolve(String.valueOf(c.seq));
        boolean keepDownloads = false;
        try {
            List<BundleEntry> entries = c.manifest.bundles();
            Settings s = settings;
            SSLContext tls;
            try {
                tls = OperatorTrust.context(operatorCa.get());
            } catch (IOException e) {
                throw UpdateException.failed(UpdateFailure.DOWNLOAD_FAILED, e.getMessage());
            }
            Downloader d = new Downloader(s.download(), tls, downloads, c.cancel::get, line -> log.warn(line));
            progress(c, UpdateState.DOWNLOADING, null);
            keepDownloads = true; // a cut download is resumed if the release is offered again
            d.checkSpace(entries);
            List<Path> files = d.fetchAll(c.artifactUrl, entries);
            keepDownloads = false;
            Map<BundleSet.Member, Path> members = new LinkedHashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                BundleEntry e = entries.get(i);
                check.checkJar(e, files.get(i));
                members.put(new BundleSet.Member(e.symbolicName(), e.version(), e.file(), e.startLevel(),
                        e.updateClass() == UpdateClass.RESTART || s.restartClass().restart(e.symbolicName()),
                        HexFormat.of().formatHex(e.sha256())), files.get(i));
            }
            progress(c, UpdateState.DOWNLOADED, null);
            awaitWindow(c);
            synchronized (lock) {
                if (c.cancel.get()) {
                    throw UpdateException.cancelled("cancelled by the Server before it was applied");
                }
                c.applying = true;
            }
            apply(c, members);
        } catch (UpdateException e) {
            log.warn("release {} of rollout {}: {}", c.seq, Strings.clip(c.rollout), e.getMessage());
            boolean resumable = keepDownloads && (e.failure == UpdateFailure.DOWNLOAD_FAILED || e.failure == UpdateFailure.NO_SPACE);
            if (!resumable) {
                delete(downloads);
            }
            ended(c);
            terminal(c.rollout, c.seq, e.state, e.failure, e.detail);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the journal says where to go on from
        } catch (IOException | RuntimeException e) {
            log.error("release {} of rollout {} could not be carried out", c.seq, Strings.clip(c.rollout), e);
            delete(downloads);
            ended(c);
            terminal(c.rollout, c.seq, UpdateState.FAILED, e instanceof IOException io && Downloader.noSpace(io)
                    ? UpdateFailure.NO_SPACE : UpdateFailure.DOWNLOAD_FAILED, e.toString());
        }
    }

    /** Waits (DOWNLOADED) until the offer's maintenance window is open; a cancel ends the wait. */
    private void awaitWindow(Current c) throws InterruptedException, UpdateException {
        boolean said = false;
        while (!c.window.isOpen(LocalTime.now())) {
            if (!said) {
                said = true;
                log.info("release {} downloaded; applied in its maintenance window {} (in {} min)", c.seq, c.window,
                        c.window.untilOpen(LocalTime.now()).toMinutes());
            }
            if (c.cancel.get()) {
                throw UpdateException.cancelled("cancelled by the Server while waiting for its maintenance window");
            }
            Thread.sleep(Math.min(1000, Math.max(1, c.window.untilOpen(LocalTime.now()).toMillis())));
        }
    }

    private void apply(Current c, Map<BundleSet.Member, Path> downloaded) throws IOException, UpdateException, InterruptedException {
        if (!awaitBootDone()) {
            throw new InterruptedException("stopping");
        }
        BundleSet from;
        synchronized (lock) {
            from = BundleSet.read(updateDir, journal.committedSet());
        }
        BundleSet to = Staging.stage(updateDir, from, String.valueOf(c.seq), downloaded);
        delete(updateDir.resolve("downloads").resolve(String.valueOf(c.seq)));
        List<BundleSet.Member> changes = Applier.changes(from, to);
        Optional<String> restart = applier.restartReason(changes);
        if (restart.isPresent() && !restartable) {
            Staging.deleteTree(BundleSet.dir(updateDir, to.id()));
            throw UpdateException.refused(UpdateFailure.INCOMPATIBLE, "it needs a restart of the framework (" + restart.get()
                    + ") and this runtime was not started by the CPNS launcher");
        }
        Baseline baseline = Baseline.capture(services);
        baseline.write(updateDir);
        synchronized (lock) {
            write(journal.applying(c.rollout, c.seq, to.id(), restart.isPresent(), c.hash, System.currentTimeMillis()));
            managed = managedNow(journal);
        }
        FaultPoints.reach("update.journal.written"); // the journal names the new set; nothing in the framework changed yet
        progress(c, UpdateState.APPLYING, restart.map(r -> "by a restart: " + r).orElse("hot: " + names(changes)));
        if (restart.isPresent()) {
            log.info("release {} is applied by a restart of the framework: {}", c.seq, restart.get());
            requestRestart();
            return;
        }
        log.info("release {}: updating {} in the running framework", c.seq, names(changes));
        try {
            applier.apply(to, changes);
        } catch (ApplyException e) {
            log.warn("release {} could not be applied: {}", c.seq, e.detail);
            rollBack(e.failure, e.detail);
            return;
        }
        trial(from, to, baseline);
    }

    private void trial(BundleSet from, BundleSet to, Baseline baseline) {
        Journal j;
        synchronized (lock) {
            j = journal.phase() == Phase.TRIAL ? journal : journal.trial();
            try {
                write(j);
            } catch (IOException e) {
                log.error("cannot write the update journal", e);
            }
        }
        progress(j, UpdateState.TRIAL, null);
        FaultPoints.reach("update.trial.started"); // the new set runs, the trial checks under way
        List<String> bsns = Applier.changes(from, to).stream().map(BundleSet.Member::symbolicName).toList();
        Trial.Result r;
        try {
            r = new Trial(services, bsn -> applier.find(bsn).orElse(null)).run(baseline, bsns, settings.trial());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // stopping: the trial runs again from the journal at the next start
        }
        if (r.passed()) {
            commit(r.detail());
        } else {
            log.warn("release {} failed its trial: {} {}", j.seq(), r.failure(), r.detail());
            rollBack(r.failure(), r.detail());
        }
    }

    private void commit(String detail) {
        synchronized (lock) {
            try {
                write(journal.committed(detail));
            } catch (IOException e) {
                log.error("cannot write the update journal: the trial runs again at the next start", e);
                return;
            }
        }
        FaultPoints.reach("update.committed"); // committed on disk, not yet recorded for the Server
        finish();
    }

    private void rollBack(UpdateFailure failure, String detail) {
        BundleSet from;
        BundleSet to;
        Journal j;
        synchronized (lock) {
            try {
                write(journal.rollingBack(failure.name(), Strings.clip(detail)));
                j = journal;
                from = BundleSet.read(updateDir, j.from());
                to = BundleSet.read(updateDir, j.to());
            } catch (IOException e) {
                log.error("cannot roll back release {}: the update journal or a set cannot be read", journal.seq(), e);
                return;
            }
        }
        if (j.restart()) {
            log.info("rolling back release {} by a restart of the framework ({})", j.seq(), failure);
            requestRestart();
            return;
        }
        List<String> bsns = Applier.changes(from, to).stream().map(BundleSet.Member::symbolicName).toList();
        try {
            applier.restore(from, bsns);
        } catch (ApplyException e) {
            if (restartable) {
                log.warn("restoring the previous set in the running framework failed ({}): restarting it", e.detail);
                synchronized (lock) {
                    try {
                        write(journal.restarting());
                    } catch (IOException x) {
                        log.error("cannot write the update journal", x);
                        return;
                    }
                }
                requestRestart();
                return;
            }
            log.error("restoring the previous set failed: {}; the gateway runs a mixed set until it is restarted", e.detail);
        }
        synchronized (lock) {
            try {
                write(journal.rolledBack(failure.name(), Strings.clip(detail)));
            } catch (IOException e) {
                log.error("cannot write the update journal", e);
                return;
            }
        }
        finish();
    }

    /** The outcome in the journal is recorded for the Server; the journal goes idle. */
    private void finish() {
        Journal j;
        synchronized (lock) {
            j = journal;
        }
        UpdateState state = j.phase() == Phase.COMMITTED ? UpdateState.COMMITTED : UpdateState.ROLLED_BACK;
        UpdateFailure failure = state == UpdateState.ROLLED_BACK ? UpdateFailure.valueOf(j.failure()) : null;
        try {
            reporter.terminal(status(j.rollout(), j.seq(), state, failure, j.detail()));
        } catch (IOException e) {
            log.error("cannot record the outcome of release {}: kept in the journal, recorded at the next start", j.seq(), e);
            return;
        }
        if (state == UpdateState.COMMITTED) {
            log.info("release {} of rollout {} COMMITTED: {}", j.seq(), Strings.clip(j.rollout()), j.detail());
        } else {
            log.warn("release {} of rollout {} ROLLED_BACK ({}): {} (the release is marked bad here)", j.seq(),
                    Strings.clip(j.rollout()), failure, j.detail());
        }
        synchronized (lock) {
            try {
                Staging.keepOnly(updateDir, j.committedSet().isEmpty() ? Set.of() : Set.of(j.committedSet()));
                Baseline.delete(updateDir);
                write(journal.idle());
            } catch (IOException e) {
                log.error("cannot write the update journal", e);
            }
            current = null;
            managed = managedNow(journal);
        }
        reporter.inventoryChanged();
    }

    /** After a start: carries on from the journal's phase (docs/updates.md §4.5). */
    private void resume() {
        Journal j;
        synchronized (lock) {
            j = journal;
        }
        if (j.phase() != Phase.IDLE && !awaitBootDone()) {
            return;
        }
        try {
            switch (j.phase()) {
                case IDLE -> {
                    Staging.keepOnly(updateDir, j.committedSet().isEmpty() ? Set.of() : Set.of(j.committedSet()));
                    return;
                }
                case COMMITTED, ROLLED_BACK -> finish();
                case ROLLING_BACK -> {
                    if (booted.equals("PREVIOUS:" + j.seq())) { // the launcher booted the previous set, reinstalled whole
                        synchronized (lock) {
                            write(journal.rolledBack(j.failure(), j.detail()));
                        }
                        finish();
                    } else {
                        rollBack(UpdateFailure.valueOf(j.failure()), j.detail());
                    }
                }
                default -> resumeNewSet(j);
            }
        } catch (IOException | RuntimeException e) {
            log.error("cannot carry on with release {} from the update journal", j.seq(), e);
        }
    }

    /**
     * Under the CPNS launcher, waits until it has started every bundle of this boot (its marker
     * service): the agent starts with the others, and a trial, a restore or a restart must not
     * overtake the start level the launcher is raising. Without the launcher there is nothing to wait for.
     *
     * @return false when stopping
     */
    private boolean awaitBootDone() {
        if (!booted.contains(":")) {
            return true;
        }
        long said = System.nanoTime();
        while (true) {
            try {
                if (ctx.getServiceReferences((String) null, "(cpns.launcher.started=true)") != null) {
                    return true;
                }
            } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
                return false;
            }
            if (System.nanoTime() - said > java.util.concurrent.TimeUnit.SECONDS.toNanos(60)) {
                said = System.nanoTime();
                log.info("waiting for the launcher to finish starting the gateway before carrying on with release {}", journal().seq());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private void resumeNewSet(Journal j) throws IOException {
        BundleSet from = BundleSet.read(updateDir, j.from());
        BundleSet to = BundleSet.read(updateDir, j.to());
        Baseline baseline = Baseline.read(updateDir);
        boolean bootedNew = booted.equals("NEW:" + j.seq());
        log.info("carrying on with release {} of rollout {} ({}{}, boot {})", j.seq(), Strings.clip(j.rollout()), j.phase(),
                j.restart() ? ", by a restart" : "", j.bootAttempts());
        if (!bootedNew && j.restart()) {
            if (restartable && j.phase() == Phase.APPLYING) {
                requestRestart(); // asked for before this start and not yet done
            } else {
                rollBack(UpdateFailure.BOOT_FAILED, "the framework was not restarted into release " + j.seq());
            }
            return;
        }
        if (!bootedNew && j.phase() == Phase.APPLYING) {
            try {
                applier.apply(to, Applier.changes(from, to)); // again: it may have been cut half way
            } catch (ApplyException e) {
                rollBack(e.failure, e.detail);
                return;
            }
        }
        trial(from, to, baseline);
    }

    private void requestRestart() {
        FaultPoints.reach("update.restart.requested"); // the journal asks for a restart, the framework still runs
        try {
            applier.restartFramework();
        } catch (Exception e) {
            log.error("cannot stop the framework for its restart", e);
        }
    }

    // ---- statuses ----

    private Message refuse(String rollout, long seq, UpdateFailure f, String detail) {
        log.warn("offer of rollout {} refused: {} {}", Strings.clip(rollout), f, Strings.clip(detail));
        terminal(rollout, seq, UpdateState.REFUSED, f, detail);
        return ACK;
    }

    /** A repeated offer or cancel of a rollout that ended here: its outcome again. */
    private Message again(String rollout) {
        try {
            history.unack(rollout);
        } catch (IOException e) {
            log.warn("cannot record the history of updates: {}", e.toString());
        }
        reporter.flush();
        return ACK;
    }

    private void terminal(String rollout, long seq, UpdateState state, UpdateFailure failure, String detail) {
        try {
            reporter.terminal(status(rollout, seq, state, failure, detail));
        } catch (IOException e) {
            log.error("cannot record the status {} of rollout {}", state, Strings.clip(rollout), e);
        }
    }

    private void progress(Current c, UpdateState s, String detail) {
        c.state = s;
        reporter.progress(status(c.rollout, c.seq, s, null, detail));
    }

    private void progress(Journal j, UpdateState s, String detail) {
        synchronized (lock) {
            if (current != null) {
                current.state = s;
            }
        }
        reporter.progress(status(j.rollout(), j.seq(), s, null, detail));
    }

    private static UpdateStatus status(String rollout, long seq, UpdateState s, UpdateFailure f, String detail) {
        return new UpdateStatus(rollout, seq, s, f, detail == null || detail.isEmpty() ? null : Strings.clip(detail),
                System.currentTimeMillis());
    }

    private Optional<UpdateStatus> currentStatus() {
        synchronized (lock) {
            if (current != null) {
                return Optional.of(status(current.rollout, current.seq, current.state, null, null));
            }
            if (journal.phase() == Phase.APPLYING || journal.phase() == Phase.TRIAL) {
                return Optional.of(status(journal.rollout(), journal.seq(), journal.phase() == Phase.TRIAL ? UpdateState.TRIAL
                        : UpdateState.APPLYING, null, null));
            }
            return Optional.empty();
        }
    }

    // ---- for gw:release and the inventory ----

    GatewayInventory inventoryNow() {
        Journal j;
        Optional<UpdateStatus> s = currentStatus();
        synchronized (lock) {
            j = journal;
        }
        boolean ready = services.health() != null && services.health().report().ready();
        return Inventory.of(ctx, j.committedSeq(), managed, ready, s.map(UpdateStatus::rolloutId).orElse(null),
                s.map(UpdateStatus::state).orElse(null));
    }

    Journal journal() {
        synchronized (lock) {
            return journal;
        }
    }

    List<History.Entry> history() {
        return history.all();
    }

    Optional<UpdateStatus> inProgress() {
        return currentStatus();
    }

    boolean restartable() {
        return restartable;
    }

    // ---- helpers ----

    private void write(Journal j) throws IOException {
        j.write(updateDir);
        journal = j;
    }

    private Set<String> managedNow(Journal j) {
        Set<String> out = new HashSet<>();
        for (String id : new String[] {j.committedSet(), j.to()}) {
            try {
                BundleSet.read(updateDir, id).members().forEach(m -> out.add(m.symbolicName()));
            } catch (IOException e) {
                // a set being staged or gone: nothing to protect
            }
        }
        return Set.copyOf(out);
    }

    private void ended(Current c) {
        synchronized (lock) {
            if (current == c) {
                current = null;
            }
        }
    }

    private boolean run(Runnable r) {
        try {
            worker.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void delete(Path p) {
        try {
            Staging.deleteTree(p);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", p, e.toString());
        }
    }

    private static String names(List<BundleSet.Member> ms) {
        return String.join(", ", ms.stream().map(m -> m.symbolicName() + " " + m.version()).toList());
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bundle of this agent (RESTART class: it is never swapped under its own transaction). */
    Bundle self() {
        return ctx.getBundle();
    }
}
