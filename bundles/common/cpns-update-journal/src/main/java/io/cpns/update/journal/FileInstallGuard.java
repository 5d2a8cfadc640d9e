package io.cpns.update.journal;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.BundleContext;
import org.osgi.framework.hooks.bundle.CollisionHook;
import org.osgi.framework.hooks.bundle.FindHook;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Bundles under remote management are not also driven by FileInstall (docs/updates.md §4.6),
 * registered by the launcher as soon as the framework is initialised (FileInstall scans as it
 * starts, before any CPNS bundle) with the managed bundles of the boot, and by the update agent
 * with the ones it manages as it goes. A
 * jar in {@code deploy/} with the symbolic name of a managed bundle is never resolved (a resolver
 * hook: none of its code runs) and is uninstalled as soon as FileInstall installs it, with one
 * warning. FileInstall never touches the managed bundles themselves: their locations are the
 * distribution's or {@code cpns-update:}, outside the directories it watches. One way remains:
 * FileInstall, before it installs a jar, looks for an installed bundle of the same symbolic name
 * and version and updates that one instead (its "Updating this bundle instead"): a find hook hides
 * the managed bundles from FileInstall's view, and a collision hook lets its install go through,
 * so its copy is installed beside the managed bundle (and removed) instead.
 */
public final class FileInstallGuard implements ResolverHookFactory, SynchronousBundleListener, CollisionHook, FindHook {
    /** FileInstall's symbolic name: its view of the framework is the one filtered. */
    public static final String FILEINSTALL = "org.apache.felix.fileinstall";

    private final BundleContext ctx;
    private final List<String> dirs;
    private final Supplier<Set<String>> managed;
    private final Consumer<String> warn;
    private final Consumer<Runnable> later;

    /**
     * @param managed symbolic names under remote management now
     * @param later   runs an uninstall off the thread that installed the bundle
     */
    public FileInstallGuard(BundleContext ctx, Supplier<Set<String>> managed, Consumer<String> warn, Consumer<Runnable> later) {
        this.ctx = ctx;
        this.managed = managed;
        this.warn = warn;
        this.later = later;
        String p = ctx.getProperty("felix.fileinstall.dir");
        this.dirs = p == null ? List.of() : Arrays.stream(p.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().normalize() + "/").toList();
    }

    /** Whether FileInstall installed it (its location is a file in a watched directory). */
    public boolean isFileInstalls(Bundle b) {
        String loc = b.getLocation();
        if (loc == null || !loc.startsWith("file:")) {
            return false;
        }
        try {
            String path = Path.of(URI.create(loc)).toAbsolutePath().normalize().toString();
            return dirs.stream().anyMatch(path::startsWith);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Uninstalls FileInstall's bundles of this symbolic name (the release's bundle takes over). */
    public void removeCopies(String symbolicName) {
        for (Bundle b : ctx.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && isFileInstalls(b)) {
                uninstall(b);
            }
        }
    }

    /** Registers the hooks and the listener with {@code ctx}'s framework. */
    public void register() {
        ctx.registerService(ResolverHookFactory.class, this, null);
        ctx.registerService(CollisionHook.class, this, null);
        ctx.registerService(FindHook.class, this, null);
        ctx.addBundleListener(this);
    }

    /** At start: any copy already there goes. */
    public void sweep() {
        Set<String> m = managed.get();
        for (Bundle b : ctx.getBundles()) {
            if (m.contains(b.getSymbolicName()) && isFileInstalls(b)) {
                uninstall(b);
            }
        }
    }

    @Override
    public void bundleChanged(BundleEvent e) {
        Bundle b = e.getBundle();
        if (e.getType() == BundleEvent.INSTALLED && managed.get().contains(b.getSymbolicName()) && isFileInstalls(b)) {
            later.accept(() -> uninstall(b));
        }
    }

    private void uninstall(Bundle b) {
        if (b.getState() == Bundle.UNINSTALLED) {
            return;
        }
        String what = b.getSymbolicName() + " " + b.getVersion() + " from " + b.getLocation();
        try {
            b.uninstall();
        } catch (Exception ex) {
            warn.accept("could not uninstall " + what + ": " + ex);
            return;
        }
        warn.accept(what + " is under remote management (docs/updates.md §4.6): deploy/ cannot replace it; uninstalled"
                + " (remove the file from deploy/)");
    }

    /**
     * An install by another bundle (FileInstall) that collides with a managed bundle of the same
     * symbolic name and version is let through: its copy is then kept from resolving and removed.
     */
    @Override
    public void filterCollisions(int operationType, Bundle target, Collection<Bundle> collisionCandidates) {
        if (operationType != CollisionHook.INSTALLING || target.getBundleId() == 0 || target.equals(ctx.getBundle())) {
            return;
        }
        Set<String> m = managed.get();
        collisionCandidates.removeIf(b -> m.contains(b.getSymbolicName()) && !isFileInstalls(b));
    }

    /** FileInstall does not see managed bundles, so it never picks one to update in place of its own jar. */
    @Override
    public void find(BundleContext context, Collection<Bundle> bundles) {
        Bundle finder = context.getBundle();
        if (finder == null || !FILEINSTALL.equals(finder.getSymbolicName())) {
            return;
        }
        Set<String> m = managed.get();
        bundles.removeIf(b -> m.contains(b.getSymbolicName()) && !isFileInstalls(b));
    }

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        return new ResolverHook() {
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
                Set<String> m = managed.get();
                candidates.removeIf(r -> m.contains(r.getSymbolicName()) && isFileInstalls(r.getBundle()));
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton, Collection<BundleCapability> collisionCandidates) {
                // no opinion
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
                // no opinion
            }

            @Override
            public void end() {
                // nothing held
            }
        };
    }
}
