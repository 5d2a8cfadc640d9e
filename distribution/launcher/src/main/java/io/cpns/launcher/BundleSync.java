package io.cpns.launcher;

import io.cpns.update.journal.BundleSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Makes the framework's persistent bundle cache match the features of this start: installs new
 * jars, updates jars that changed on disk, uninstalls bundles whose jar is no longer part of the
 * role. Keeping the cache (instead of wiping it every start) saves ~200 ms of start-up; this sync
 * keeps it honest across upgrades. Bundles installed by FileInstall from deploy/ are left alone.
 *
 * <p>Bundles under remote management (docs/updates.md §4.3) come from the set of managed bundles
 * the boot guard chose, not from {@code bundle/<feature>/}: a newer distribution jar on disk does
 * not undo a committed remote update. A managed bundle the distribution also has keeps the
 * distribution's location (its content replaced from the set's copy); one it does not have is
 * installed as {@code cpns-update:<symbolic name>}. Their content is told apart by
 * {@code Bundle-Version}, and reinstalled from the set whatever its version when the guard says it
 * cannot be trusted (an update was under way when the framework stopped).
 */
final class BundleSync {
    private BundleSync() {
    }

    /** A jar of a feature and the start level it runs at. */
    record Wanted(Path jar, int level) {
        String location() {
            return "reference:" + jar.toUri();
        }
    }

    /**
     * The managed bundles of this boot.
     *
     * @param updateDir {@code <data>/update}
     * @param set       the set to run ({@link BundleSet#DISTRIBUTION}: none)
     * @param force     symbolic names to reinstall whatever their version: from {@code set}, or the distribution's jar
     */
    record Managed(Path updateDir, BundleSet set, Set<String> force) {
        static final Managed NONE = new Managed(Path.of("."), BundleSet.DISTRIBUTION, Set.of());
    }

    static List<Wanted> wanted(Path bundleDir, List<String> features, int runtimeLevel, int cpnsLevel) throws IOException {
        List<Wanted> out = new ArrayList<>();
        Set<String> seen = new HashSet<>(); // a library two features carry (jSerialComm) is installed once
        for (String feature : features) {
            Path dir = bundleDir.resolve(feature);
            if (!Files.isDirectory(dir)) {
                throw new IOException("feature directory " + dir + " is missing: is the distribution complete?");
            }
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
                for (Path jar : jars) {
                    if (!seen.add(jar.getFileName().toString())) {
                        continue;
                    }
                    out.add(new Wanted(jar.toAbsolutePath(), feature.equals("runtime") ? runtimeLevel : cpnsLevel));
                }
            }
        }
        return out;
    }

    static void apply(BundleContext ctx, Path bundleDir, List<Wanted> wanted, Set<String> skip) throws IOException, BundleException {
        apply(ctx, bundleDir, wanted, skip, Managed.NONE, Integer.MAX_VALUE);
    }

    static void apply(BundleContext ctx, Path bundleDir, List<Wanted> wanted, Set<String> skip, Managed managed, int maxLevel)
            throws IOException, BundleException {
        String ours = "reference:" + bundleDir.toAbsolutePath().toUri();
        Map<String, Wanted> byLocation = new HashMap<>();
        wanted.forEach(w -> byLocation.put(w.location(), w));
        Set<String> present = new HashSet<>();
        for (Bundle b : ctx.getBundles()) {
            String loc = b.getLocation();
            String bsn = b.getSymbolicName();
            if (loc.startsWith(BundleSet.LOCATION)) {
                Optional<BundleSet.Member> m = managed.set().member(bsn);
                if (m.isEmpty() || skip.contains(bsn)) {
                    b.uninstall(); // a bundle only a release brought, and the set of this boot does not have it
                } else {
                    present.add(bsn);
                    ensure(b, m.get(), managed);
                }
                continue;
            }
            if (!loc.startsWith(ours)) {
                continue; // the system bundle, or a bundle FileInstall deployed
            }
            Wanted w = byLocation.remove(loc);
            if (w == null || skip.contains(bsn)) {
                b.uninstall();
                continue;
            }
            present.add(bsn);
            Optional<BundleSet.Member> m = managed.set().member(bsn);
            if (m.isPresent()) {
                ensure(b, m.get(), managed);
            } else if (managed.force().contains(bsn)
                    || Files.getLastModifiedTime(w.jar()).toMillis() > b.getLastModified()) {
                b.update(); // from its location: the distribution's jar
            }
        }
        // the lowest start level (the runtime feature) first and by name: lib-logback starts before Apache Felix
        // Logback and logs from the first bundle on (D120); the others in the order they always had (a stable
        // sort), so the CPNS bundles start as before
        int first = byLocation.values().stream().mapToInt(Wanted::level).min().orElse(0);
        List<Wanted> order = new ArrayList<>(byLocation.values());
        order.sort(Comparator.comparingInt(Wanted::level).thenComparing(w -> w.level() == first ? w.jar().getFileName().toString() : ""));
        List<Bundle> fresh = new ArrayList<>();
        for (Wanted w : order) {
            Bundle b = ctx.installBundle(w.location());
            if (skip.contains(b.getSymbolicName())) {
                b.uninstall();
                continue;
            }
            b.adapt(BundleStartLevel.class).setStartLevel(w.level());
            present.add(b.getSymbolicName());
            Optional<BundleSet.Member> m = managed.set().member(b.getSymbolicName());
            if (m.isPresent()) {
                update(b, managed.set().jar(managed.updateDir(), m.get()));
            }
            fresh.add(b);
        }
        for (BundleSet.Member m : managed.set().members()) {
            if (present.contains(m.symbolicName()) || skip.contains(m.symbolicName())) {
                continue;
            }
            Bundle b;
            try (InputStream in = Files.newInputStream(managed.set().jar(managed.updateDir(), m))) {
                b = ctx.installBundle(BundleSet.LOCATION + m.symbolicName(), in);
            }
            b.adapt(BundleStartLevel.class).setStartLevel(Math.max(1, Math.min(m.startLevel(), maxLevel)));
            fresh.add(b);
        }
        for (Bundle b : fresh) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
    }

    /** The installed bundle runs the set member's jar: updated from the set unless it is that version already (and trusted). */
    private static void ensure(Bundle b, BundleSet.Member m, Managed managed) throws IOException, BundleException {
        if (managed.force().contains(m.symbolicName()) || !Version.parseVersion(m.version()).equals(b.getVersion())) {
            update(b, managed.set().jar(managed.updateDir(), m));
        }
    }

    private static void update(Bundle b, Path jar) throws IOException, BundleException {
        try (InputStream in = Files.newInputStream(jar)) {
            b.update(in);
        }
    }
}
