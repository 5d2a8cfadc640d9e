package io.cpns.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/** The persistent bundle cache follows bundle/FEATURE/ across restarts and upgrades (a real Felix). */
class BundleSyncTest {
    @TempDir
    Path dir;
    Framework fw;

    private static void jar(Path file, String bsn, String version) throws IOException {
        jar(file, bsn, version, null);
    }

    /** A bundle jar; {@code marker} names an entry that tells two jars of one version apart. */
    private static void jar(Path file, String bsn, String version, String marker) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        m.getMainAttributes().putValue(Constants.BUNDLE_SYMBOLICNAME, bsn);
        m.getMainAttributes().putValue(Constants.BUNDLE_VERSION, version);
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, m)) {
            if (marker != null) {
                j.putNextEntry(new java.util.jar.JarEntry(marker));
                j.closeEntry();
            }
            j.flush();
        }
    }

    private BundleContext boot() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, dir.resolve("cache").toString());
        fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(p);
        fw.init();
        return fw.getBundleContext();
    }

    private void restart() throws Exception {
        fw.stop();
        fw.waitForStop(5000);
    }

    @AfterEach
    void stop() throws Exception {
        if (fw != null) {
            restart();
        }
    }

    private void sync(BundleContext ctx, Set<String> skip) throws Exception {
        Path bundles = dir.resolve("bundle");
        BundleSync.apply(ctx, bundles, BundleSync.wanted(bundles, List.of("runtime", "core"), 1, 2), skip);
        settled(ctx);
    }

    /**
     * Waits for the framework's refreshes to finish: Felix disposes an updated bundle's old revision
     * on its own wiring thread, and a test reading an entry meanwhile met a revision without content
     * (anInterruptedUpdate_… failed once in a full run with an NPE inside Felix). Refreshes run in
     * order, so when this one is done, so is any Felix queued before it.
     */
    private static void settled(BundleContext ctx) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        ctx.getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class).refreshBundles(null, e -> done.countDown());
        assertTrue(done.await(30, java.util.concurrent.TimeUnit.SECONDS), "framework refresh did not finish");
    }

    private static Bundle find(BundleContext ctx, String bsn) {
        return Arrays.stream(ctx.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    @Test
    void installsNew_updatesChanged_uninstallsRemoved_andSkips() throws Exception {
        jar(dir.resolve("bundle/runtime/a.jar"), "a", "1.0.0");
        jar(dir.resolve("bundle/core/b.jar"), "b", "1.0.0");
        jar(dir.resolve("bundle/core/api.jar"), "api", "1.0.0");
        BundleContext ctx = boot();
        sync(ctx, Set.of("api"));
        assertEquals(1, find(ctx, "a").adapt(org.osgi.framework.startlevel.BundleStartLevel.class).getStartLevel());
        assertEquals(2, find(ctx, "b").adapt(org.osgi.framework.startlevel.BundleStartLevel.class).getStartLevel());
        assertNull(find(ctx, "api"));
        restart();

        // upgrade: b replaced by a new version (same file name), a removed, c added
        Files.delete(dir.resolve("bundle/runtime/a.jar"));
        jar(dir.resolve("bundle/core/b.jar"), "b", "2.0.0");
        Files.setLastModifiedTime(dir.resolve("bundle/core/b.jar"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        jar(dir.resolve("bundle/core/c.jar"), "c", "1.0.0");
        ctx = boot();
        sync(ctx, Set.of("api"));
        assertNull(find(ctx, "a"));
        assertEquals("2.0.0", find(ctx, "b").getVersion().toString());
        assertTrue(find(ctx, "c") != null);
    }

    /**
     * D120: the runtime feature's bundles get the lowest bundle ids, in name order, so they start
     * first and lib-logback before Apache Felix Logback (which would otherwise set Logback up with its
     * defaults and lose the first lines); the CPNS bundles come after them.
     */
    @Test
    void theRuntimeFeature_isInstalledFirst_byName() throws Exception {
        for (String n : List.of("org.apache.felix.scr", "org.apache.felix.logback", "lib-logback", "org.apache.felix.log", "zz", "aa")) {
            jar(dir.resolve("bundle/runtime/" + n + ".jar"), "rt." + n, "1.0.0");
        }
        for (String n : List.of("cpns-api", "a-core", "z-core", "cpns-keystore")) {
            jar(dir.resolve("bundle/core/" + n + ".jar"), "core." + n, "1.0.0");
        }
        BundleContext ctx = boot();
        sync(ctx, Set.of());
        List<String> byId = Arrays.stream(ctx.getBundles()).filter(b -> b.getBundleId() != 0)
                .sorted(java.util.Comparator.comparingLong(Bundle::getBundleId)).map(Bundle::getSymbolicName).toList();
        assertEquals(List.of("rt.aa", "rt.lib-logback", "rt.org.apache.felix.log", "rt.org.apache.felix.logback", "rt.org.apache.felix.scr", "rt.zz"),
                byId.subList(0, 6));
        assertEquals(Set.of("core.cpns-api", "core.a-core", "core.z-core", "core.cpns-keystore"), Set.copyOf(byId.subList(6, 10)));
    }

    /** A managed set as the update agent leaves it: real copies of jars under update/sets/ID/. */
    private BundleSync.Managed managed(String id, java.util.Set<String> force, String... bsnVersions) throws IOException {
        Path update = dir.resolve("update");
        List<io.cpns.update.journal.BundleSet.Member> members = new java.util.ArrayList<>();
        for (String bv : bsnVersions) {
            String[] p = bv.split("@");
            jar(io.cpns.update.journal.BundleSet.dir(update, id).resolve(p[0] + "-" + p[1] + ".jar"), p[0], p[1], "set-" + id);
            members.add(new io.cpns.update.journal.BundleSet.Member(p[0], p[1], p[0] + "-" + p[1] + ".jar", 2, false, "00"));
        }
        io.cpns.update.journal.BundleSet set = new io.cpns.update.journal.BundleSet(id, members);
        set.writeTo(io.cpns.update.journal.BundleSet.dir(update, id));
        return new BundleSync.Managed(update, set, force);
    }

    private void sync(BundleContext ctx, BundleSync.Managed m) throws Exception {
        Path bundles = dir.resolve("bundle");
        BundleSync.apply(ctx, bundles, BundleSync.wanted(bundles, List.of("core"), 1, 2), Set.of(), m, 2);
        settled(ctx);
    }

    @Test
    void aCommittedRemoteUpdate_survivesRestarts_aNewerDistributionJar_andAWipedCache() throws Exception {
        jar(dir.resolve("bundle/core/b.jar"), "b", "1.0.0");
        BundleContext ctx = boot();
        sync(ctx, BundleSync.Managed.NONE);
        long id = find(ctx, "b").getBundleId();
        restart();

        // release 8 brought b 1.1.0 and a new bundle n; the boot after it committed
        BundleSync.Managed r8 = managed("8", Set.of(), "b@1.1.0", "n@1.0.0");
        ctx = boot();
        sync(ctx, r8);
        assertEquals("1.1.0", find(ctx, "b").getVersion().toString());
        assertEquals(id, find(ctx, "b").getBundleId(), "the distribution's bundle is updated in place, not replaced");
        assertEquals("cpns-update:n", find(ctx, "n").getLocation());
        restart();

        // the distribution's jar is touched (a newer file on disk): the managed version stays
        Files.setLastModifiedTime(dir.resolve("bundle/core/b.jar"), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        ctx = boot();
        sync(ctx, r8);
        assertEquals("1.1.0", find(ctx, "b").getVersion().toString());
        restart();

        // the cache is wiped: the managed set comes back from its copies
        deleteTree(dir.resolve("cache"));
        ctx = boot();
        sync(ctx, r8);
        assertEquals("1.1.0", find(ctx, "b").getVersion().toString());
        assertEquals("1.0.0", find(ctx, "n").getVersion().toString());
    }

    @Test
    void aRollbackToTheDistribution_reinstallsItsJar_andRemovesWhatTheReleaseBrought() throws Exception {
        jar(dir.resolve("bundle/core/b.jar"), "b", "1.0.0");
        BundleContext ctx = boot();
        BundleSync.Managed r8 = managed("8", Set.of(), "b@1.0.0", "n@1.0.0"); // the same version, other bytes: only a force tells
        sync(ctx, r8);
        assertTrue(find(ctx, "b").getEntry("set-8") != null, "b runs the set's jar");
        restart();

        ctx = boot();
        sync(ctx, new BundleSync.Managed(dir.resolve("update"), io.cpns.update.journal.BundleSet.DISTRIBUTION, Set.of("b", "n")));
        assertNull(find(ctx, "n"));
        assertNull(find(ctx, "b").getEntry("set-8"), "b runs the distribution's jar again");
        assertEquals(dir.resolve("bundle/core/b.jar").toUri().toString(), find(ctx, "b").getLocation().substring("reference:".length()));
    }

    @Test
    void anInterruptedUpdate_isForcedToTheChosenSet_evenAtTheSameVersion() throws Exception {
        jar(dir.resolve("bundle/core/b.jar"), "b", "1.0.0");
        BundleContext ctx = boot();
        sync(ctx, BundleSync.Managed.NONE);
        Bundle b = find(ctx, "b");
        // the agent was killed after it updated b with a jar of the same version
        Path other = dir.resolve("other.jar");
        jar(other, "b", "1.0.0", "new");
        try (java.io.InputStream in = Files.newInputStream(other)) {
            b.update(in);
        }
        restart();
        ctx = boot();
        assertTrue(find(ctx, "b").getEntry("new") != null);
        sync(ctx, BundleSync.Managed.NONE);
        assertTrue(find(ctx, "b").getEntry("new") != null, "without the guard's word the half-applied jar would stay");
        sync(ctx, new BundleSync.Managed(dir.resolve("update"), io.cpns.update.journal.BundleSet.DISTRIBUTION, Set.of("b")));
        assertNull(find(ctx, "b").getEntry("new"), "reinstalled from the distribution's jar");
    }

    @Test
    void substitutesLauncherVariables_andLeavesUnknownOnes() {
        assertEquals("/opt/cpns/etc/gateway/config,${other}",
                CpnsRuntime.substitute("${cpns.home}/etc/${cpns.role}/config,${other}", Map.of("cpns.home", "/opt/cpns", "cpns.role", "gateway")));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
