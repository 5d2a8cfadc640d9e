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
 * ({@code bin/cpns-server} or {@code bin/cpns-gateway} with {@code --data} and {@code --config},
 * run by {@code sh}),
 * its configuration a copy of {@code etc/ROLE/config} with the given files replaced, and its output
 * in {@code out.log}. The environment's {@code CPNS_JAVA_OPTS} is not passed on: the script's own
 * default (its heap) applies unless {@code javaOpts} is given.
 */
final class ScriptedRuntime implements AutoCloseable {
    private static final Pattern DEFAULT_OPTS = Pattern.compile("\\$\\{CPNS_JAVA_OPTS:-([^}]*)}");

    final String role;
    final Path home;
    final Process process;

    private ScriptedRuntime(String role, Path home, Process process) {
        this.role = role;
        this.home = home;
        this.process = process;
    }

    /**
     * @param configs file name -&gt; lines, replacing that file of {@code etc/ROLE/config}
     * @param javaOpts {@code CPNS_JAVA_OPTS} for the process, or null for the script's default
     */
    static ScriptedRuntime start(String role, Path home, Map<String, List<String>> configs, String javaOpts) throws IOException {
        return start(role, home, configs, javaOpts, false, null);
    }

    /**
     * @param terminal run it under {@code script(1)}, so it has a terminal and its Gogo shell reads
     *        {@link #shell} commands (as an operator types them)
     * @param umask null to run {@code bin/cpns-ROLE}; else the script's java command line run
     *        directly under this umask (as an operator might start it without the script)
     */
    static ScriptedRuntime start(String role, Path home, Map<String, List<String>> configs, String javaOpts, boolean terminal,
                               String umask) throws IOException {
        Path config = Files.createDirectories(home.resolve("config"));
        try (var files = Files.list(CpnsOptions.dist().resolve("etc").resolve(role).resolve("config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()));
            }
        }
        for (Map.Entry<String, List<String>> e : configs.entrySet()) {
            Files.write(config.resolve(e.getKey()), e.getValue());
        }
        Path dist = CpnsOptions.dist();
        String args = " --data '" + home.resolve("data") + "' --config '" + config + "'";
        String command = umask == null ? "'" + dist.resolve("bin/cpns-" + role) + "'" + args
                : "umask " + umask + "; exec java " + (javaOpts != null ? javaOpts : scriptDefaultJavaOpts(role)) + " -Dcpns.home='" + dist
                + "' -cp '" + dist.resolve("lib") + "/*' io.cpns.launcher.Main " + role + args;
        List<String> argv = terminal ? List.of("script", "-qfec", command, "/dev/null") : List.of("sh", "-c", command);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("out.log").toFile()));
        pb.environment().remove("CPNS_JAVA_OPTS");
        pb.environment().put("TERM", "dumb");
        if (javaOpts != null) {
            pb.environment().put("CPNS_JAVA_OPTS", javaOpts);
        }
        if (!terminal) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // whatever happens to the tests
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }));
        return new ScriptedRuntime(role, home, p);
    }

    /** Whether {@code script(1)} is there to give a process a terminal (util-linux; Debian's bsdutils). */
    static boolean terminalAvailable() {
        try {
            return new ProcessBuilder("script", "-V").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Types a command into the Gogo shell of a runtime started with a terminal. */
    void shell(String command) throws IOException {
        process.getOutputStream().write((command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        process.getOutputStream().flush();
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
    ScriptedRuntime awaitReady() {
        Osgi.eventually(role + " ready", () -> log().contains("CPNS runtime ready") || !process.isAlive(), this::log);
        if (!process.isAlive()) {
            throw new AssertionError(role + " exited with " + process.exitValue() + ":\n" + log());
        }
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy); // SIGTERM to the JVM (under sh or script): its shutdown hook stops Felix
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
