package io.cpns.gw.update;

import io.cpns.api.FaultPoints;
import io.cpns.api.update.UpdateFailure;
import io.cpns.update.journal.BundleSet;
import io.cpns.update.journal.FileInstallGuard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Puts a set of bundles in place in the running framework (docs/updates.md §4.2): the bundles
 * that change are stopped, updated from the set's copies ({@code Bundle.update}) or installed,
 * refreshed once as a set, then started in start-level order. The same for a rollback, from the
 * previous set (or the distribution's jar, for a bundle no committed release brought).
 *
 * <p>Also decides whether a change can be applied hot at all: not if a bundle it changes is
 * RESTART class, nor if the refresh closure of the bundles it updates reaches one.
 *
 * <p>Called on the update agent's thread; blocks while bundles stop, refresh and start.
 */
final class Applier {
    private static final long REFRESH_SECONDS = 120;

    private final BundleContext ctx;
    private final Path updateDir;
    private final RestartClass classes;
    private final FileInstallGuard fileInstall;

    Applier(BundleContext ctx, Path updateDir, RestartClass classes, FileInstallGuard fileInstall) {
        this.ctx = ctx;
        this.updateDir = updateDir;
        this.classes = classes;
        this.fileInstall = fileInstall;
    }

    /** Members of {@code to} that are not in {@code from} with the same bytes: what applying {@code to} changes. */
    static List<BundleSet.Member> changes(BundleSet from, BundleSet to) {
        return to.members().stream().filter(m -> from.member(m.symbolicName()).map(f -> !f.sha256().equals(m.sha256())).orElse(true))
                .toList();
    }

    /** Why applying {@code changes} needs a restart of the framework, or empty when it can be done hot. */
    Optional<String> restartReason(List<BundleSet.Member> changes) {
        List<Bundle> existing = new ArrayList<>();
        for (BundleSet.Member m : changes) {
            if (m.restart()) {
                return Optional.of(m.symbolicName() + " is RESTART class");
            }
            if (classes.restart(m.symbolicName())) {
                return Optional.of(m.symbolicName() + " is RESTART class on this gateway (restartBundles)");
            }
            find(m.symbolicName()).ifPresent(existing::add);
        }
        Collection<Bundle> closure = ctx.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .getDependencyClosure(existing);
        for (Bundle b : closure) {
            if (b.getBundleId() == 0) {
                return Optional.of("the refresh reaches the system bundle");
            }
            if (b.equals(ctx.getBundle()) || classes.restart(b.getSymbolicName())) {
                return Optional.of("the refresh of " + names(existing) + " reaches " + b.getSymbolicName() + " (RESTART class)");
            }
        }
        return Optional.empty();
    }

    /** Puts {@code changes} of {@code set} in place and starts them. */
    void apply(BundleSet set, List<BundleSet.Member> changes) throws ApplyException {
        List<BundleSet.Member> ordered = changes.stream().sorted(Comparator.comparingInt(BundleSet.Member::startLevel)).toList();
        List<Bundle> targets = new ArrayList<>();
        for (BundleSet.Member m : ordered) {
            fileInstall.removeCopies(m.symbolicName());
            find(m.symbolicName()).ifPresent(targets::add);
        }
        stop(targets);
        Set<Bundle> touched = new LinkedHashSet<>(targets);
        boolean first = true;
        for (BundleSet.Member m : ordered) {
            Path jar = set.jar(updateDir, m);
            try (InputStream in = Files.newInputStream(jar)) {
                Optional<Bundle> b = find(m.symbolicName());
                if (b.isPresent()) {
                    b.get().update(in);
                } else {
                    Bundle fresh = ctx.installBundle(BundleSet.LOCATION + m.symbolicName(), in);
                    fresh.adapt(BundleStartLevel.class).setStartLevel(level(m.startLevel()));
                    touched.add(fresh);
                }
            } catch (IOException | BundleException | RuntimeException e) {
                throw new ApplyException(UpdateFailure.INSTALL_FAILED, m.symbolicName() + " " + m.version() + ": " + e.getMessage(), e);
            }
            if (first) {
                first = false;
                FaultPoints.reach("update.apply.partial"); // one bundle of the set updated, the others not
            }
        }
        refresh(touched);
        start(touched);
    }

    /**
     * Puts the bundles named back as {@code previous} has them: its copy, or the distribution's
     * jar (the bundle's location), or uninstalled when only the release brought it.
     */
    void restore(BundleSet previous, Collection<String> symbolicNames) throws ApplyException {
        List<Bundle> targets = new ArrayList<>();
        symbolicNames.forEach(bsn -> find(bsn).ifPresent(targets::add));
        stop(targets);
        Set<Bundle> touched = new LinkedHashSet<>();
        boolean first = true;
        for (Bundle b : targets) {
            String bsn = b.getSymbolicName();
            Optional<BundleSet.Member> m = previous.member(bsn);
            try {
                if (m.isPresent()) {
                    try (InputStream in = Files.newInputStream(previous.jar(updateDir, m.get()))) {
                        b.update(in);
                    }
                    touched.add(b);
                } else if (b.getLocation().startsWith(BundleSet.LOCATION)) {
                    b.uninstall();
                } else {
                    b.update(); // from its location: the distribution's jar
                    touched.add(b);
                }
            } catch (IOException | BundleException | RuntimeException e) {
                throw new ApplyException(UpdateFailure.INSTALL_FAILED, "restoring " + bsn + ": " + e.getMessage(), e);
            }
            if (first) {
                first = false;
                FaultPoints.reach("update.rollback.partial"); // one bundle restored, the others not
            }
        }
        for (BundleSet.Member pm : previous.members()) { // a bundle of the previous set the release had removed: none today
            if (symbolicNames.contains(pm.symbolicName()) && find(pm.symbolicName()).isEmpty()) {
                try (InputStream in = Files.newInputStream(previous.jar(updateDir, pm))) {
                    Bundle fresh = ctx.installBundle(BundleSet.LOCATION + pm.symbolicName(), in);
                    fresh.adapt(BundleStartLevel.class).setStartLevel(level(pm.startLevel()));
                    touched.add(fresh);
                } catch (IOException | BundleException e) {
                    throw new ApplyException(UpdateFailure.INSTALL_FAILED, "restoring " + pm.symbolicName() + ": " + e.getMessage(), e);
                }
            }
        }
        List<Bundle> refresh = new ArrayList<>(touched);
        refresh.addAll(targets); // uninstalled ones too: their wirings go
        refresh(new LinkedHashSet<>(refresh));
        start(touched);
    }

    /** Asks the launcher for a fresh framework (docs/updates.md §4.4): the system bundle stops, the launcher sees the journal. */
    void restartFramework() throws BundleException {
        ctx.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).stop();
    }

    /** The framework's bundle with this symbolic name that is not FileInstall's (remote management wins over deploy/). */
    Optional<Bundle> find(String symbolicName) {
        for (Bundle b : ctx.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && !fileInstall.isFileInstalls(b)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    private void stop(List<Bundle> bundles) throws ApplyException {
        List<Bundle> down = new ArrayList<>(bundles);
        down.sort(Comparator.comparingInt((Bundle b) -> b.adapt(BundleStartLevel.class).getStartLevel()).reversed());
        for (Bundle b : down) {
            try {
                if (b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING) {
                    b.stop(Bundle.STOP_TRANSIENT); // stays persistently started
                }
            } catch (BundleException | RuntimeException e) {
                throw new ApplyException(UpdateFailure.INSTALL_FAILED, "stopping " + b.getSymbolicName() + ": " + e.getMessage(), e);
            }
        }
    }

    private void refresh(Collection<Bundle> bundles) throws ApplyException {
        CountDownLatch done = new CountDownLatch(1);
        List<Throwable> errors = new ArrayList<>();
        ctx.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class).refreshBundles(bundles, e -> {
            if (e.getType() == FrameworkEvent.ERROR && e.getThrowable() != null) {
                errors.add(e.getThrowable());
            }
            done.countDown();
        });
        try {
            if (!done.await(REFRESH_SECONDS, TimeUnit.SECONDS)) {
                throw new ApplyException(UpdateFailure.START_FAILED, "the refresh of " + names(bundles) + " did not end within "
                        + REFRESH_SECONDS + " s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException(UpdateFailure.START_FAILED, "interrupted while refreshing", e);
        }
    }

    /** Starts what is not a fragment, by start level; the first that does not start ends it. */
    private void start(Collection<Bundle> bundles) throws ApplyException {
        List<Bundle> up = new ArrayList<>();
        for (Bundle b : bundles) {
            if (b.getState() != Bundle.UNINSTALLED && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                up.add(b);
            }
        }
        up.sort(Comparator.comparingInt((Bundle b) -> b.adapt(BundleStartLevel.class).getStartLevel()));
        for (Bundle b : up) {
            try {
                b.start();
            } catch (BundleException | RuntimeException e) {
                throw new ApplyException(UpdateFailure.START_FAILED, b.getSymbolicName() + " " + b.getVersion() + " did not start: "
                        + e.getMessage(), e);
            }
            if (b.getState() != Bundle.ACTIVE && b.getState() != Bundle.STARTING) {
                throw new ApplyException(UpdateFailure.START_FAILED, b.getSymbolicName() + " is not active after its start", null);
            }
        }
    }

    /** A start level the framework runs now: a release's level beyond it would never start. */
    private int level(int wanted) {
        int running = ctx.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkStartLevel.class).getStartLevel();
        return Math.max(1, Math.min(wanted, running));
    }

    private static String names(Collection<Bundle> bundles) {
        Set<String> n = new HashSet<>();
        bundles.forEach(b -> n.add(b.getSymbolicName()));
        return String.join(",", new java.util.TreeSet<>(n));
    }
}
