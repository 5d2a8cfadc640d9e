package io.cpns.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.cpns.api.health.Health;
import io.cpns.api.health.HealthChecks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.condition.Condition;

/**
 * Issue 14 §4: readiness counted bundles by symbolic-name prefix ({@code cpns-}, {@code gw-}, …), so a
 * vendor's bundle so named that failed made the whole runtime NOT READY (and a gateway update roll
 * back), while ours renamed {@code io.cpns.*} would not count. In a real Felix with the whole
 * gateway: a vendor's failed bundle leaves it READY and the {@code cpns.ready} condition service in
 * place; a failed bundle with the {@code CPNS-Part} header, whatever its name, makes it NOT READY and
 * withdraws the condition; a required PAN adapter that is missing counts through the PAN check.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ForeignBundleHealthIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("foreign-health", configs(Map.of()), "runtime", "core", "server", "gateway", "pne");
    }

    /** A bundle that cannot resolve (it imports a package nobody exports): its start fails. */
    private Bundle installFailing(String bsn, boolean cpnsPart) throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        a.putValue(Constants.BUNDLE_SYMBOLICNAME, bsn);
        a.putValue(Constants.IMPORT_PACKAGE, "com.example.vendor.missing");
        if (cpnsPart) {
            a.putValue(HealthChecks.PART_HEADER, "true");
        }
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        new JarOutputStream(jar, m).close();
        Bundle b = ctx.installBundle("test:" + bsn, new ByteArrayInputStream(jar.toByteArray()));
        try {
            b.start();
            fail(bsn + " started");
        } catch (BundleException expected) { // unresolved: com.example.vendor.missing
        }
        return b;
    }

    private boolean readyCondition() throws InvalidSyntaxException {
        return !ctx.getServiceReferences(Condition.class, "(" + Condition.CONDITION_ID + "=" + HealthChecks.READY + ")").isEmpty();
    }

    private List<String> problems() {
        return osgi.service(Health.class).report().problems();
    }

    @Test
    public void aVendorsFailedBundle_leavesTheRuntimeReady_aFailedCpnsPartDoesNot() throws Exception {
        osgi.awaitReady();
        Osgi.eventually("the cpns.ready condition", this::readyConditionQuietly, () -> "none");
        assertFalse(ctx.getServiceReferences(Condition.class, "(" + Condition.CONDITION_ID + "=" + HealthChecks.LIVE + ")").isEmpty());

        Bundle vendor = installFailing("cpns-vendor-addon", false); // a name the old prefixes counted
        Bundle vendor2 = installFailing("com.example.gateway.addon", false);
        try {
            assertTrue(problems().toString(), osgi.service(Health.class).report().ready());
            assertTrue(osgi.shell("cpns:health").startsWith("READY"));
            assertTrue(readyCondition());

            Bundle part = installFailing("com.example.renamed", true); // ours, whatever its name
            try {
                Osgi.eventually("NOT READY naming the CPNS part", () -> problems().stream()
                        .anyMatch(l -> l.startsWith("bundle com.example.renamed is INSTALLED")), () -> problems().toString());
                assertTrue(osgi.shell("cpns:health").startsWith("NOT READY"));
                Osgi.eventually("the cpns.ready condition withdrawn", () -> !readyConditionQuietly(), () -> "still there");
            } finally {
                part.uninstall();
            }
            osgi.awaitReady();
            Osgi.eventually("the cpns.ready condition back", this::readyConditionQuietly, () -> "none");
        } finally {
            vendor.uninstall();
            vendor2.uninstall();
        }
    }

    /** A vendor's PAN adapter counts through the PAN check, by the id the operator requires, not by bundle name. */
    @Test
    public void aRequiredPanAdapterThatIsNotRunning_isNotReady() throws Exception {
        osgi.awaitReady();
        osgi.configure("cpns.gw.pan", Map.of("requiredAdapters", new String[] {"ip", "vendor-zigbee"}));
        try {
            Osgi.eventually("NOT READY naming the missing adapter", () -> problems().stream()
                    .anyMatch(l -> l.startsWith("PAN adapter vendor-zigbee is required")), () -> problems().toString());
            assertNotNull(osgi.shell("cpns:health -v"));
            assertTrue(osgi.shell("cpns:health -v"), osgi.shell("cpns:health -v").contains("PAN adapters"));
        } finally {
            osgi.configure("cpns.gw.pan", Map.of("requiredAdapters", new String[] {"ip"}));
        }
        osgi.awaitReady();
    }

    private boolean readyConditionQuietly() {
        try {
            return readyCondition();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
