package io.cpns.gw.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.UpdateFailure;
import io.cpns.update.journal.BundleSet;
import io.cpns.update.journal.FileInstallGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The applier in a real Felix: a set swapped in (update, one refresh, start), restored, escalated
 * to a restart when the refresh reaches a RESTART-class bundle, FileInstall's copies kept off.
 */
class ApplierTest {
    @TempDir
    Path dir;
    Framework fw;
    BundleContext ctx;
    Path update;
    final Set<String> managed = new java.util.HashSet<>();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    FileInstallGuard guard;

    @BeforeEach
    void boot() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, dir.resolve("cache").toString());
        p.put("felix.fileinstall.dir", dir.resolve("deploy").toString());
        fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(p);
        fw.start();
        ctx = fw.getBundleContext();
        update = dir.resolve("update");
        // the distribution: a library, a flow that uses it, a flow on its own
        install("lib", "1.0.0", Map.of("Export-Package", "p.lib;version=1.0"));
        install("user", "1.0.0", Map.of("Import-Package", "p.lib"));
        install("flow", "1.0.0", Map.of());
        guard = new FileInstallGuard(ctx, () -> managed, warnings::add, Runnable::run);
        ctx.registerService(org.osgi.framework.hooks.resolver.ResolverHookFactory.class, guard, null);
        ctx.registerService(org.osgi.framework.hooks.bundle.CollisionHook.class, guard, null);
        ctx.registerService(org.osgi.framework.hooks.bundle.FindHook.class, guard, null);
        ctx.addBundleListener(guard);
    }

    @AfterEach
    void stop() throws Exception {
        fw.stop();
        fw.waitForStop(10_000);
    }

    private Bundle install(String bsn, String version, Map<String, String> headers) throws Exception {
        Path jar = Jars.bundle(dir.resolve("bundle").resolve(bsn + ".jar"), bsn, version, headers);
        Bundle b = ctx.installBundle("reference:" + jar.toUri());
        b.start();
        return b;
    }

    private Applier applier(String... restart) {
        return new Applier(ctx, update, new RestartClass(restart), guard);
    }

    /** A set as the agent stages it: the release's jars copied under update/sets/ID. */
    private BundleSet set(String id, Map<String, String[]> bundles) throws Exception {
        Map<BundleSet.Member, Path> downloaded = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> e : bundles.entrySet()) {
            String version = e.getValue()[0];
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i + 1 < e.getValue().length; i += 2) {
                headers.put(e.getValue()[i], e.getValue()[i + 1]);
            }
            Path jar = Jars.bundle(dir.resolve("downloads").resolve(id).resolve(e.getKey() + "-" + version + ".jar"), e.getKey(), version,
                    headers);
            downloaded.put(new BundleSet.Member(e.getKey(), version, jar.getFileName().toString(), 1, false, Jars.sha256(jar)), jar);
        }
        return Staging.stage(update, BundleSet.DISTRIBUTION, id, downloaded);
    }

    private Bundle bundle(String bsn) {
        return Arrays.stream(ctx.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    @Test
    void aHotSet_isSwappedInPlace_andRestoredFromTheDistribution() throws Exception {
        Bundle flow = bundle("flow");
        long id = flow.getBundleId();
        BundleSet s8 = set("8", Map.of("flow", new String[] {"1.1.0"}, "extra", new String[] {"1.0.0"}));
        List<BundleSet.Member> changes = Applier.changes(BundleSet.DISTRIBUTION, s8);
        Applier a = applier();
        assertEquals(Optional.empty(), a.restartReason(changes));
        a.apply(s8, changes);
        assertEquals("1.1.0", bundle("flow").getVersion().toString());
        assertEquals(id, bundle("flow").getBundleId(), "updated in place: same bundle, same location");
        assertEquals(Bundle.ACTIVE, bundle("flow").getState());
        assertEquals(BundleSet.LOCATION + "extra", bundle("extra").getLocation());
        assertEquals(Bundle.ACTIVE, bundle("extra").getState());
        assertEquals(Bundle.ACTIVE, bundle("user").getState(), "bundles outside the set untouched");

        a.restore(BundleSet.DISTRIBUTION, List.of("flow", "extra"));
        assertEquals("1.0.0", bundle("flow").getVersion().toString());
        assertEquals(Bundle.ACTIVE, bundle("flow").getState());
        assertNull(bundle("extra"), "what only the release brought is gone");
    }

    @Test
    void aRestoreFromAnEarlierSet_usesItsCopies_evenWithTheDownloadsGone() throws Exception {
        BundleSet s7 = set("7", Map.of("flow", new String[] {"1.1.0"}));
        Applier a = applier();
        a.apply(s7, Applier.changes(BundleSet.DISTRIBUTION, s7));
        Map<BundleSet.Member, Path> r8 = new LinkedHashMap<>();
        Path jar = Jars.bundle(dir.resolve("downloads/8/flow-1.2.0.jar"), "flow", "1.2.0", Map.of());
        r8.put(new BundleSet.Member("flow", "1.2.0", "flow-1.2.0.jar", 1, false, Jars.sha256(jar)), jar);
        BundleSet s8 = Staging.stage(update, s7, "8", r8);
        a.apply(s8, Applier.changes(s7, s8));
        assertEquals("1.2.0", bundle("flow").getVersion().toString());
        Staging.deleteTree(dir.resolve("downloads"));
        a.restore(s7, List.of("flow"));
        assertEquals("1.1.0", bundle("flow").getVersion().toString());
    }

    @Test
    void aRestartClassBundle_orOneTheRefreshReaches_needsARestart() throws Exception {
        BundleSet lib = set("8", Map.of("lib", new String[] {"1.1.0", "Export-Package", "p.lib;version=1.1"}));
        List<BundleSet.Member> changes = Applier.changes(BundleSet.DISTRIBUTION, lib);
        assertEquals(Optional.empty(), applier().restartReason(changes), "lib and user are both hot");
        assertTrue(applier("lib").restartReason(changes).orElseThrow().contains("lib is RESTART class"));
        String why = applier("user").restartReason(changes).orElseThrow();
        assertTrue(why.contains("reaches user"), why);
        BundleSet flow = set("9", Map.of("flow", new String[] {"1.1.0"}));
        assertEquals(Optional.empty(), applier("user").restartReason(Applier.changes(BundleSet.DISTRIBUTION, flow)),
                "flow's refresh does not reach user");
        BundleSet marked = new BundleSet("10", List.of(new BundleSet.Member("flow", "1.1.0", "f.jar", 1, true, "00")));
        assertTrue(applier().restartReason(marked.members()).orElseThrow().contains("RESTART class"));
    }

    @Test
    void aBundleThatCannotStart_isStartFailed() throws Exception {
        BundleSet s8 = set("8", Map.of("flow", new String[] {"1.1.0", "Import-Package", "p.nobody.exports"}));
        ApplyException x = assertThrows(ApplyException.class, () -> applier().apply(s8, Applier.changes(BundleSet.DISTRIBUTION, s8)));
        assertEquals(UpdateFailure.START_FAILED, x.failure);
        assertTrue(x.detail.startsWith("flow 1.1.0 did not start"), x.detail);
        applier().restore(BundleSet.DISTRIBUTION, List.of("flow"));
        assertEquals("1.0.0", bundle("flow").getVersion().toString());
        assertEquals(Bundle.ACTIVE, bundle("flow").getState());
    }

    @Test
    void fileInstallsCopyOfAManagedBundle_neverRuns_andIsRemoved() throws Exception {
        BundleSet s8 = set("8", Map.of("flow", new String[] {"1.1.0"}));
        Applier a = applier();
        a.apply(s8, Applier.changes(BundleSet.DISTRIBUTION, s8));
        managed.add("flow");
        // an operator drops an older flow into deploy/: FileInstall installs it
        Path deployed = Jars.bundle(dir.resolve("deploy/flow-0.9.jar"), "flow", "0.9.0", Map.of());
        Bundle copy = ctx.installBundle(deployed.toUri().toString());
        assertTrue(guard.isFileInstalls(copy));
        assertEquals(Bundle.UNINSTALLED, copy.getState(), "uninstalled as it came");
        assertTrue(warnings.get(0).contains("under remote management"), warnings.toString());
        assertEquals("1.1.0", bundle("flow").getVersion().toString());
        assertEquals(Bundle.ACTIVE, bundle("flow").getState());

        // one that slipped in before the guard knew: never resolved, whatever starts it
        managed.clear();
        Path again = Jars.bundle(dir.resolve("deploy/flow-0.8.jar"), "flow", "0.8.0", Map.of());
        Bundle late = ctx.installBundle(again.toUri().toString());
        managed.add("flow");
        assertThrows(org.osgi.framework.BundleException.class, late::start);
        assertEquals(Bundle.INSTALLED, late.getState());
        guard.sweep();
        assertEquals(Bundle.UNINSTALLED, late.getState());
        assertNotNull(a.find("flow"));
        assertEquals("1.1.0", a.find("flow").orElseThrow().getVersion().toString());
    }

    @Test
    void fileInstallsCopyOfTheSameVersion_doesNotReplaceTheManagedBundle() throws Exception {
        BundleSet s8 = set("8", Map.of("flow", new String[] {"1.1.0"}));
        applier().apply(s8, Applier.changes(BundleSet.DISTRIBUTION, s8));
        managed.add("flow");
        Bundle flow = bundle("flow");
        long modified = flow.getLastModified();
        // FileInstall installs a jar of the same symbolic name and version. It first looks for such a
        // bundle to update instead (its own check), then the framework would refuse a duplicate
        BundleContext fileInstall = install(FileInstallGuard.FILEINSTALL, "3.7.4", Map.of()).getBundleContext();
        assertTrue(Arrays.stream(fileInstall.getBundles()).noneMatch(b -> "flow".equals(b.getSymbolicName())),
                "FileInstall does not see the managed bundle, so it cannot pick it to update");
        Path deployed = Jars.bundle(dir.resolve("deploy/flow-same.jar"), "flow", "1.1.0", Map.of());
        Bundle copy = fileInstall.installBundle(deployed.toUri().toString());
        assertEquals(Bundle.UNINSTALLED, copy.getState());
        assertEquals(modified, bundle("flow").getLastModified(), "the managed bundle untouched");
        assertTrue(bundle("flow").getEntry("built-as-flow-1.1.0-flow-1.1.0.jar") != null);
        assertEquals(Bundle.ACTIVE, bundle("flow").getState());
    }
}
