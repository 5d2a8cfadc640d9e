package io.cpns.itests;

import static org.junit.Assert.fail;

import io.cpns.api.CpnsException;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;
import io.cpns.api.health.HealthReport;
import io.cpns.api.message.Message;
import java.time.Duration;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/** Small helpers for tests that run inside the framework. */
final class Osgi {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final BundleContext ctx;

    Osgi(BundleContext ctx) {
        this.ctx = ctx;
    }

    /** The current service (fetched anew each time: a bundle update replaces it). */
    <T> T service(Class<T> type) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ServiceReference<T> ref = ctx.getServiceReference(type);
            T t = ref == null ? null : ctx.getService(ref);
            if (t != null) {
                return t;
            }
            if (System.nanoTime() > deadline) {
                fail("no " + type.getSimpleName() + " service after " + WAIT.toSeconds() + " s");
            }
            sleep(20);
        }
    }

    Bundle bundle(String bsn) {
        return Arrays.stream(ctx.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("bundle " + bsn + " not installed"));
    }

    HealthReport awaitReady() {
        eventually("CPNS runtime ready", () -> service(Health.class).report().ready(), () -> service(Health.class).report().problems().toString());
        return service(Health.class).report();
    }

    void awaitLink(LinkState state) {
        eventually("link " + state, () -> {
            ServiceReference<ServerLink> ref = ctx.getServiceReference(ServerLink.class);
            return ref != null && ctx.getService(ref).status().state() == state;
        }, () -> String.valueOf(service(ServerLink.class).status()));
    }

    Message call(Message request) {
        try {
            return service(ServerLink.class).request(request, Duration.ofSeconds(10)).toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof CpnsException c) {
                throw c;
            }
            throw e;
        }
    }

    void configure(String pid, Map<String, Object> changes) throws Exception {
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration c = cm.getConfiguration(pid, "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        changes.forEach(props::put);
        c.update(props);
    }

    /** Runs a Gogo command as an operator would type it; returns what it printed (or its result). */
    String shell(String command) throws Exception {
        org.apache.felix.service.command.CommandProcessor p = service(org.apache.felix.service.command.CommandProcessor.class);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        try (org.apache.felix.service.command.CommandSession s = p.createSession(new java.io.ByteArrayInputStream(new byte[0]), ps, ps)) {
            Object result = s.execute(command);
            return out.toString(java.nio.charset.StandardCharsets.UTF_8) + (result == null ? "" : String.valueOf(result));
        }
    }

    static void eventually(String what, BooleanSupplier condition, Supplier<String> state) {
        eventually(what, condition, state, WAIT);
    }

    static void eventually(String what, BooleanSupplier condition, Supplier<String> state, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not " + what + " after " + wait.toSeconds() + " s: " + state.get());
            }
            sleep(20);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
