package io.cpns.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;
import io.cpns.api.health.HealthChecks;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.UserRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The first slice (issue 2) in Karaf through the services' Java API: a user registered, the
 * gateway's EUKey assigned, the link AUTHENTICATED, every CPNS component ACTIVE or SATISFIED.
 * No operator CA and no data directory are configured: the defaults must find each other
 * (${karaf.data}/cpns, the Server's development CA in its pki/ directory).
 */
final class KarafSlice {
    static final String GATEWAY = "gw-karaf-it";
    private static final String USER = "karaf-user";
    private static final long WAIT_MILLIS = 30_000;

    private final BundleContext ctx;

    KarafSlice(BundleContext ctx) {
        this.ctx = ctx;
    }

    void run() throws Exception {
        UserRegistry users = service(UserRegistry.class);
        users.register(UserId.of(USER), "karaf-secret-1".toCharArray());
        GatewayEnrolment enrolment = service(GatewayEnrolment.class);
        enrolment.assignEuKey(USER, "karaf-secret-1".toCharArray());
        assertTrue(enrolment.hasEuKey());
        EntityRecord r = service(EntityRegistry.class).find(EntityId.of(GATEWAY)).orElseThrow();
        assertEquals(UserId.of(USER), r.owner());

        eventually("link AUTHENTICATED", () -> service(ServerLink.class).status().state() == LinkState.AUTHENTICATED,
                () -> String.valueOf(service(ServerLink.class).status()));

        Path data = Path.of(ctx.getProperty("karaf.data"), "cpns");
        assertTrue("the Server's development CA under ${karaf.data}/cpns", Files.isRegularFile(data.resolve("pki/operator-ca.pem")));
        assertTrue("the gateway's EUKey under ${karaf.data}/cpns", Files.isDirectory(data.resolve("keystore")));

        eventually("every CPNS component ACTIVE or SATISFIED", () -> notRunning().isEmpty(), () -> notRunning().toString());
        assertTrue("CPNS components found", cpnsComponents() >= 12);

        // issue 14 §4: readiness as services Karaf's tools and other bundles can wait for
        eventually("READY", () -> service(Health.class).report().ready(), () -> service(Health.class).report().problems().toString());
        eventually("the cpns.ready and cpns.live condition services", () -> condition(HealthChecks.READY) && condition(HealthChecks.LIVE),
                () -> service(Health.class).report().problems().toString());
        // and each check as an Apache Felix health check (feature cpns-healthcheck), OK now
        for (String name : List.of("CPNS bundles", "CPNS components", "Server link", "PAN adapters", "MQTT broker")) {
            eventually("Felix health check " + name + " OK", () -> "OK".equals(felixCheck(name)), () -> felixCheck(name));
        }
    }

    /** The status of the Felix HealthCheck service of that name, by reflection: this probe does not import Felix HC. */
    private String felixCheck(String name) {
        try {
            ServiceReference<?>[] refs = ctx.getServiceReferences("org.apache.felix.hc.api.HealthCheck", "(hc.name=" + name + ")");
            if (refs == null) {
                return "no such check";
            }
            Object check = ctx.getService(refs[0]);
            // through the public interface: the check's own class is not public
            Class<?> api = check.getClass().getClassLoader().loadClass("org.apache.felix.hc.api.HealthCheck");
            Object result = api.getMethod("execute").invoke(check);
            return String.valueOf(result.getClass().getMethod("getStatus").invoke(result));
        } catch (ReflectiveOperationException | org.osgi.framework.InvalidSyntaxException e) {
            return e.toString();
        }
    }

    private boolean condition(String id) {
        try {
            ServiceReference<?>[] refs = ctx.getServiceReferences("org.osgi.service.condition.Condition", "(osgi.condition.id=" + id + ")");
            return refs != null && refs.length > 0;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> notRunning() {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class);
        List<String> bad = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            // our components are named after their classes (io.cpns...)
            if (!d.name.startsWith("io.cpns")) {
                continue;
            }
            List<ComponentConfigurationDTO> cs = new ArrayList<>(scr.getComponentConfigurationDTOs(d));
            for (ComponentConfigurationDTO c : cs) {
                if (c.state != ComponentConfigurationDTO.ACTIVE && c.state != ComponentConfigurationDTO.SATISFIED) {
                    bad.add(d.name + "=" + c.state + (c.failure == null ? "" : " " + c.failure));
                }
            }
        }
        return bad;
    }

    private int cpnsComponents() {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class);
        int n = 0;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.startsWith("io.cpns")) {
                n += scr.getComponentConfigurationDTOs(d).size();
            }
        }
        return n;
    }

    private <T> T service(Class<T> type) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            ServiceReference<T> ref = ctx.getServiceReference(type);
            T t = ref == null ? null : ctx.getService(ref);
            if (t != null) {
                return t;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("no " + type.getSimpleName() + " service after " + WAIT_MILLIS + " ms");
            }
            sleep();
        }
    }

    private static void eventually(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail(what + " not reached: " + state.get());
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
