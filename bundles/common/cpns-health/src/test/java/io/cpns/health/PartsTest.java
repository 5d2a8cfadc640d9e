package io.cpns.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.health.HealthChecks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Issue 14 §4: readiness counted any bundle whose symbolic name began with {@code cpns-}, {@code gw-}, …,
 * so another vendor's bundle named that way made the runtime NOT READY when it failed, and ours renamed
 * to {@code io.cpns.*} would not have counted. In a real Felix: only the {@code CPNS-Part} header counts.
 */
class PartsTest {
    @TempDir
    Path storage;
    private Framework felix;
    private BundleContext ctx;

    @BeforeEach
    void start() throws BundleException {
        felix = ServiceLoader.load(FrameworkFactory.class).iterator().next()
                .newFramework(Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(), Constants.FRAMEWORK_STORAGE_CLEAN,
                        Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        felix.start();
        ctx = felix.getBundleContext();
    }

    @AfterEach
    void stop() throws Exception {
        felix.stop();
        felix.waitForStop(10_000);
    }

    /** A bundle that cannot resolve: it imports a package nobody exports. */
    private Bundle install(String bsn, boolean part) throws IOException, BundleException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        a.putValue(Constants.BUNDLE_SYMBOLICNAME, bsn);
        a.putValue(Constants.IMPORT_PACKAGE, "org.example.missing");
        if (part) {
            a.putValue(HealthChecks.PART_HEADER, bsn);
        }
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        new JarOutputStream(jar, m).close();
        Bundle b = ctx.installBundle(bsn, new ByteArrayInputStream(jar.toByteArray()));
        assertThrows(BundleException.class, b::start);
        return b;
    }

    @Test
    void aVendorsFailedBundle_isNoPart_whateverItsName() throws Exception {
        install("cpns-vendor-addon", false); // the old prefixes would have counted it
        install("gw-thirdparty", false);
        assertEquals(List.of(), Parts.of(ctx));
        assertEquals(List.of(), BundlesCheck.problems(Parts.of(ctx)));
    }

    @Test
    void aFailedCpnsPart_isAProblem_whateverItsName() throws Exception {
        Bundle ours = install("io.cpns.gw.example", true);
        install("cpns-vendor-addon", false);
        assertEquals(List.of(ours), Parts.of(ctx));
        List<String> problems = BundlesCheck.problems(Parts.of(ctx));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("bundle io.cpns.gw.example is INSTALLED"), problems.get(0));
    }

    @Test
    void tags_readAsServicePropertiesGiveThem() {
        assertEquals(List.of("cpns", "readiness"), Tags.of(new String[] {"cpns", "readiness"}));
        assertEquals(List.of("cpns", "liveness"), Tags.of("cpns, liveness"));
        assertEquals(List.of("a", "b"), Tags.of(List.of("a", "b", "a")));
        assertEquals(List.of(), Tags.of(null));
    }
}
