package io.cpns.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The first slice (issue 2) in Karaf, the operator's steps typed over Karaf's {@code bin/client}
 * (issue 14 §2): a user registered ({@code server:useradd}), the gateway's EUKey assigned
 * ({@code gw:assign}), the passwords typed at masked prompts and found nowhere on disk afterwards;
 * then, through the services' Java API, the link AUTHENTICATED and every CPNS component ACTIVE or
 * SATISFIED.
 * No operator CA and no data directory are configured: the defaults must find each other
 * (${karaf.data}/cpns, the Server's development CA in its pki/ directory).
 */
final class KarafSlice {
    static final String GATEWAY = "gw-karaf-it";
    private static final String USER = "karaf-user";
    private static final long WAIT_MILLIS = 30_000;

    /** Typed at the prompts only: the test looks for it in every file of Karaf afterwards. */
    private static final String PASSWORD = "Typed-only-" + Long.toHexString(System.nanoTime());
    private static final String FILE_USER = "karaf-script-user";

    private final BundleContext ctx;
    private final KarafClient client;

    KarafSlice(BundleContext ctx, KarafClient client) {
        this.ctx = ctx;
        this.client = client;
    }

    void run() throws Exception {
        service(UserRegistry.class);
        GatewayEnrolment enrolment = service(GatewayEnrolment.class);
        service(ServerLink.class);

        // no terminal (a script, bin/client -b): refused, naming what works there
        assertContains(client.batch("server:useradd " + USER), "no terminal to read a password from without echo", "--password-file");
        // a password given as an argument is never taken
        assertContains(client.batch("gw:assign " + USER + " Not-taken-1"), "a password is never taken as a command argument");
        assertFalse(enrolment.hasEuKey());

        // the operator at Karaf's shell over SSH: each password typed at its masked prompt
        String typed = client.interactive("server:useradd " + USER, PASSWORD, "gw:assign " + USER, PASSWORD);
        assertContains(typed, "password for " + USER + ": ", "CPNS User " + USER + " registered", "EUKey assigned (fingerprint ");
        assertFalse("the password was echoed: " + typed, typed.contains(PASSWORD));
        assertTrue(enrolment.hasEuKey());

        // unattended: an owner-only file on the Karaf host
        Path file = Path.of(ctx.getProperty("karaf.data"), "tmp", "script-user.pw");
        Files.createDirectories(file.getParent());
        Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                "From-a-file-1\n");
        assertContains(client.batch("server:useradd --password-file " + file + " " + FILE_USER), "CPNS User " + FILE_USER + " registered");
        Path home = Path.of(ctx.getProperty("karaf.home"));
        // the search below finds a password that is on disk: this one, until the script deletes it
        assertEquals(List.of(home.relativize(file)), filesContaining(home, "From-a-file-1"));
        Files.delete(file);
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

        // the done-when of issue 14: the typed password is nowhere on disk (logs, history, data, config)
        assertEquals("files holding the typed password", List.of(), filesContaining(home, PASSWORD));
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

    private static void assertContains(String output, String... expected) {
        for (String e : expected) {
            assertTrue("expected '" + e + "' in:\n" + output, output.contains(e));
        }
    }

    /** Every regular file under {@code root} whose bytes hold {@code secret} in UTF-8. */
    private static List<Path> filesContaining(Path root, String secret) throws IOException {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                try {
                    if (indexOf(Files.readAllBytes(f), needle) >= 0) {
                        found.add(root.relativize(f));
                    }
                } catch (IOException e) {
                    // a file removed or locked while walking: not a place the secret was written to
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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
