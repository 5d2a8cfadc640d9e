package io.cpns.demo;

import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;
import io.cpns.demo.DemoSteps.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** Starting CPNS runtimes next to each other in one JVM (demo, load harness) and waiting on them. */
final class Runtimes {
    static final Duration WAIT = Duration.ofSeconds(30);

    private Runtimes() {
    }

    /**
     * Framework properties that take the API from the launcher's class path (so callers share its
     * types). All but {@value #DISPATCH}: it uses Declarative Services' types, which only the
     * framework has, so the cpns-api bundle (installed as well) provides that package, its other
     * exports substituted by the class path's.
     */
    static Map<String, String> apiFromClassPath(Path home, Path etc) throws IOException {
        try (JarFile jar = new JarFile(home.resolve("lib").resolve("cpns-api.jar").toFile())) {
            String exports = jar.getManifest().getMainAttributes().getValue("Export-Package");
            return Map.of("org.osgi.framework.system.packages.extra", String.join(",", withoutDispatch(exports)),
                    "felix.fileinstall.dir", etc.toString(), "cpns.log.config", logback(etc).toString());
        }
    }

    static final String DISPATCH = "io.cpns.api.dispatch";

    /** The clauses of an Export-Package header (commas inside quoted directives such as uses:= do not split) but dispatch's. */
    static List<String> withoutDispatch(String exportPackage) {
        List<String> clauses = new java.util.ArrayList<>();
        StringBuilder clause = new StringBuilder();
        boolean quoted = false;
        for (char c : exportPackage.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(clause.toString());
                clause.setLength(0);
            } else {
                clause.append(c);
            }
        }
        clauses.add(clause.toString());
        return clauses.stream().filter(x -> !x.equals(DISPATCH) && !x.startsWith(DISPATCH + ";")).toList();
    }

    /**
     * A copy of etc/ROLE/config with some values changed, as an operator would edit it, and beside it
     * a copy of etc/ROLE/logback.xml that logs to the runtime's file only (data/ROLE/log/cpns.log):
     * the demo's output is its steps, not the runtimes' lines.
     */
    static Path config(Path home, Path dir, String role, Map<String, Map<String, String>> changes) throws IOException {
        Files.createDirectories(dir);
        String logback = Files.readString(home.resolve("etc").resolve(role).resolve("logback.xml"));
        Files.writeString(logback(dir), logback.replaceAll("(?s)<appender name=\"CONSOLE\".*?</appender>", "")
                .replace("<appender-ref ref=\"CONSOLE\"/>", ""));
        try (Stream<Path> files = Files.list(home.resolve("etc").resolve(role).resolve("config"))) {
            for (Path f : files.toList()) {
                Map<String, String> c = changes.getOrDefault(f.getFileName().toString(), Map.of());
                List<String> out = Files.readAllLines(f).stream().map(l -> {
                    int eq = l.indexOf('=');
                    return !l.startsWith("#") && eq > 0 && c.containsKey(l.substring(0, eq).trim())
                            ? l.substring(0, eq) + "=" + c.get(l.substring(0, eq).trim()) : l;
                }).toList();
                Files.write(dir.resolve(f.getFileName()), out);
            }
        }
        return dir;
    }

    /** The logback.xml beside a configuration directory {@link #config} wrote. */
    static Path logback(Path configDir) {
        return configDir.resolveSibling(configDir.getFileName() + "-logback.xml");
    }

    static void awaitReady(Services s) {
        Health h = s.get(Health.class);
        await("runtime ready", () -> h.report().ready(), () -> h.report().problems().toString());
    }

    static void awaitLink(Services gw, LinkState wanted) {
        await("link " + wanted, () -> {
            ServerLink link = gw.find(ServerLink.class);
            return link != null && link.status().state() == wanted;
        }, () -> {
            ServerLink link = gw.find(ServerLink.class);
            return link == null ? "no link service" : link.status().state() + " (" + link.status().lastError() + ")";
        });
    }

    static void await(String what, BooleanSupplier done, java.util.function.Supplier<String> state) {
        await(what, done, state, WAIT);
    }

    static void await(String what, BooleanSupplier done, java.util.function.Supplier<String> state, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new Failure("not " + what + " after " + wait.toSeconds() + " s: " + state.get());
            }
            sleep(20);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }

    static Bundle bundle(BundleContext ctx, String bsn) {
        return Arrays.stream(ctx.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new Failure("bundle " + bsn + " not installed"));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Services of one framework, looked up when needed (a bundle update replaces them). */
    record Services(BundleContext ctx) {
        <T> T find(Class<T> type) {
            var ref = ctx.getServiceReference(type);
            return ref == null ? null : ctx.getService(ref);
        }

        <T> T get(Class<T> type) {
            await("service " + type.getSimpleName(), () -> find(type) != null, () -> "not registered");
            return find(type);
        }
    }
}
