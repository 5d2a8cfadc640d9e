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
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        m.getMainAttributes().putValue(Constants.BUNDLE_SYMBOLICNAME, bsn);
        m.getMainAttributes().putValue(Constants.BUNDLE_VERSION, version);
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, m)) {
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

    @Test
    void substitutesLauncherVariables_andLeavesUnknownOnes() {
        assertEquals("/opt/cpns/etc/gateway/config,${other}",
                CpnsRuntime.substitute("${cpns.home}/etc/${cpns.role}/config,${other}", Map.of("cpns.home", "/opt/cpns", "cpns.role", "gateway")));
    }
}
