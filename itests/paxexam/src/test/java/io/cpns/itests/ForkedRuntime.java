package io.cpns.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One role of the distribution as its own process, exactly as an operator starts it
 * ({@code bin/cpns-server} or {@code bin/cpns-gateway} with {@code --data} and {@code --config}),
 * its configuration a copy of {@code etc/ROLE/config} with the given files replaced, and its output
 * in {@code out.log}. The environment's {@code CPNS_JAVA_OPTS} is not passed on: the script's own
 * default (its heap) applies unless {@code javaOpts} is given.
 */
final class ForkedRuntime implements AutoCloseable {
    private static final Pattern DEFAULT_OPTS = Pattern.compile("\\$\\{CPNS_JAVA_OPTS:-([^}]*)}");

    final String role;
    final Path home;
    final Process process;

    private ForkedRuntime(String role, Path home, Process process) {
        this.role = role;
        this.home = home;
        this.process = process;
    }

    /**
     * @param configs file name -&gt; lines, replacing that file of {@code etc/ROLE/config}
     * @param javaOpts {@code CPNS_JAVA_OPTS} for the process, or null for the script's default
     */
    static ForkedRuntime start(String role, Path home, Map<String, List<String>> configs, String javaOpts) throws IOException {
        Path config = Files.createDirectories(home.resolve("config"));
        try (var files = Files.list(CpnsOptions.dist().resolve("etc").resolve(role).resolve("config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()));
            }
        }
        for (Map.Entry<String, List<String>> e : configs.entrySet()) {
            Files.write(config.resolve(e.getKey()), e.getValue());
        }
        ProcessBuilder pb = new ProcessBuilder(CpnsOptions.dist().resolve("bin/cpns-" + role).toString(),
                "--data", home.resolve("data").toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("out.log").toFile()));
        pb.environment().remove("CPNS_JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("CPNS_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // whatever happens to the tests
        return new ForkedRuntime(role, home, p);
    }

    /** The JVM options {@code bin/cpns-ROLE} uses when {@code CPNS_JAVA_OPTS} is not set (its heap). */
    static String scriptDefaultJavaOpts(String role) throws IOException {
        Matcher m = DEFAULT_OPTS.matcher(Files.readString(CpnsOptions.dist().resolve("bin/cpns-" + role)));
        if (!m.find()) {
            throw new IllegalStateException("no ${CPNS_JAVA_OPTS:-...} default in bin/cpns-" + role);
        }
        return m.group(1);
    }

    Path data() {
        return home.resolve("data");
    }

    String log() {
        try {
            return Files.readString(home.resolve("out.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Every component active: cpns-health's line. */
    ForkedRuntime awaitReady() {
        Osgi.eventually(role + " ready", () -> log().contains("CPNS runtime ready") || !process.isAlive(), this::log);
        if (!process.isAlive()) {
            throw new AssertionError(role + " exited with " + process.exitValue() + ":\n" + log());
        }
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the launcher's shutdown hook stops the framework
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
