package io.cpns.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.cm.ConfigurationAdminOptions;
import org.ops4j.pax.exam.cm.ConfigurationOption;

/**
 * Pax Exam options that boot Felix with the distribution's own bundles (distribution/target/cpns/
 * bundle/FEATURE/*.jar), a fresh data directory, and Config Admin configurations created before
 * any CPNS bundle starts (CPNS bundles start at a higher start level than Pax Exam's own).
 */
final class CpnsOptions {
    static final int CPNS_START_LEVEL = 10;

    private CpnsOptions() {
    }

    static Path dist() {
        return Path.of(System.getProperty("cpns.dist", "../../distribution/target/cpns")).toAbsolutePath().normalize();
    }

    static Option[] boot(String name, Map<String, Map<String, Object>> configs, String... features) {
        return boot(name, dist().resolve("etc/gateway/logback.xml"), configs, features);
    }

    /** @param logback the logback.xml (framework property cpns.log.config) */
    static Option[] boot(String name, Path logback, Map<String, Map<String, Object>> configs, String... features) {
        Path data = Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
                .resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
        List<Option> o = new ArrayList<>();
        o.add(junitBundles());
        o.add(systemTimeout(60_000));
        o.add(frameworkStartLevel(CPNS_START_LEVEL + 5));
        o.add(frameworkProperty("cpns.data").value(data.toString()));
        o.add(frameworkProperty("gosh.args").value("--nointeractive"));
        // as etc/<role>/role.properties: Logback configured from the gateway's logback.xml (console and data/log/cpns.log)
        o.add(frameworkProperty("cpns.log.config").value(logback.toString()));
        o.add(frameworkProperty("org.osgi.service.log.admin.loglevel").value("INFO"));
        // as etc/server/role.properties: Felix HTTP Jetty runs only the artifact endpoint's instance
        o.add(frameworkProperty("org.apache.felix.http.require.config").value("true"));
        // as etc/<role>/role.properties: $[secret:]/$[env:] references resolved before any configuration is delivered
        o.add(frameworkProperty("felix.cm.config.plugins").value("org.apache.felix.configadmin.plugin.interpolation"));
        o.add(frameworkProperty("org.apache.felix.configadmin.plugin.interpolation.secretsdir").value(data.resolve("secrets").toString()));
        // every test class boots a framework in this JVM, each loading jSerialComm's native library anew
        o.add(systemProperty("jSerialComm.library.randomizeNativeName").value("true"));
        o.add(systemProperty("org.ops4j.pax.url.mvn.localRepository").value(System.getProperty("org.ops4j.pax.url.mvn.localRepository", "")));
        if (!configs.containsKey("cpns.server.artifacts")) { // never the fixed default port in a test
            configs = new java.util.HashMap<>(configs);
            configs.put("cpns.server.artifacts", Map.of("port", 0));
        }
        configs.forEach((pid, props) -> {
            ConfigurationOption c = ConfigurationAdminOptions.newConfiguration(pid);
            props.forEach(c::put);
            o.add(c.asOption());
        });
        Set<String> installed = new HashSet<>(); // a library two features carry is installed once
        for (String feature : features) {
            boolean runtime = feature.equals("runtime");
            for (Path jar : jars(feature)) {
                if (!installed.add(jar.getFileName().toString())) {
                    continue;
                }
                o.add(bundle(jar.toUri().toString()).startLevel(runtime ? 1 : CPNS_START_LEVEL).start());
            }
        }
        return o.toArray(new Option[0]);
    }

    static List<Path> jars(String feature) {
        Path dir = dist().resolve("bundle").resolve(feature);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no " + dir + ": build the distribution first (mvn package)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
