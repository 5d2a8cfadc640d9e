package io.cpns.itests;

import io.cpns.keystore.EncryptedFileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A CPNS runtime of the distribution in a process of its own ({@code bin/cpns-gateway} or
 * {@code bin/cpns-server}), as an operator runs it: its configuration directory is a copy of
 * {@code etc/ROLE/config} with the test's changes, its data directory its own, its standard output
 * and error in {@code <home>/<role>.log} (appended across starts).
 *
 * <p>The fault-injection harness: {@link #start} with fault points armed ({@code -Dcpns.faultpoints},
 * see {@link io.cpns.api.FaultPoints}) makes the process stop at one of them, {@link #awaitFaultPoint}
 * sees it there, and {@link #kill9} cuts the power with a real {@code kill -9}. A later
 * {@link #start} finds whatever the killed process left on disk.
 */
final class ForkedRuntime {
    static final Duration START = Duration.ofSeconds(90);

    private final String role;
    private final Path home;
    private Process process;
    private int starts;

    private ForkedRuntime(String role, Path home) {
        this.role = role;
        this.home = home;
    }

    /** A runtime of {@code role} ({@code gateway} or {@code server}) living in {@code home}, configured as shipped. */
    static ForkedRuntime of(String role, Path home) throws IOException {
        ForkedRuntime r = new ForkedRuntime(role, home);
        Path config = Files.createDirectories(r.config());
        try (var files = Files.list(CpnsOptions.dist().resolve("etc").resolve(role).resolve("config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return r;
    }

    /** Replaces the file of one PID ({@code <pid>.cfg}) with these {@code key=value} lines. */
    ForkedRuntime configure(String pid, String... lines) throws IOException {
        Files.write(config().resolve(pid + ".cfg"), List.of(lines));
        return this;
    }

    /** A value of a PID's file, as written by {@link #configure} or shipped (or as the runtime saved it back). */
    String configured(String pid, String key) {
        String v = configured(pid, key, null);
        if (v == null) {
            throw new AssertionError(pid + " has no " + key);
        }
        return v;
    }

    String configured(String pid, String key, String otherwise) {
        try {
            return Files.readAllLines(config().resolve(pid + ".cfg")).stream().filter(l -> l.startsWith(key + "="))
                    .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse(otherwise);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path home() {
        return home;
    }

    Path config() {
        return home.resolve("config");
    }

    Path data() {
        return home.resolve("data");
    }

    Path logFile() {
        return home.resolve(role + ".log");
    }

    /** Starts the process; with {@code faultPoints} it stops for good at the first one it reaches. */
    void start(String... faultPoints) throws IOException {
        if (alive()) {
            throw new IllegalStateException(role + " already running");
        }
        ProcessBuilder pb = new ProcessBuilder(CpnsOptions.dist().resolve("bin/cpns-" + role).toString(),
                "--data", data().toString(), "--config", config().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        pb.environment().put("CPNS_JAVA_OPTS", "-Xms16m -Xmx64m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                + (faultPoints.length == 0 ? "" : " -Dcpns.faultpoints=" + String.join(",", faultPoints)));
        Files.writeString(logFile(), "---- start " + (++starts) + ":" + (faultPoints.length == 0 ? "" : " fault points "
                + String.join(",", faultPoints)) + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        process = pb.start();
        Process p = process;
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // whatever happens to the tests
    }

    /** Waits for this start's {@code CPNS runtime ready} line (cpns-health: every bundle and component active). */
    void awaitReady() {
        await("ready", () -> thisStart().contains("CPNS runtime ready"));
    }

    /** Waits until the process stopped at fault point {@code name}. */
    void awaitFaultPoint(String name) {
        await("at fault point " + name, () -> thisStart().contains("CPNS-FAULTPOINT " + name));
    }

    /** The power cut: SIGKILL, no shutdown hook, no flush, no deactivation. */
    void kill9() throws IOException, InterruptedException {
        Process p = process;
        Process kill = new ProcessBuilder("kill", "-9", String.valueOf(p.pid())).inheritIO().start();
        if (kill.waitFor() != 0 || !p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("kill -9 " + p.pid() + " failed");
        }
        appendNote("---- kill -9 " + p.pid() + " (exit " + p.exitValue() + ")");
    }

    /** An orderly stop (SIGTERM: the launcher stops the framework). */
    void stop() throws IOException, InterruptedException {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Everything the process wrote, over every start. */
    String log() {
        try {
            return Files.readString(logFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** What the current (or last) start wrote. */
    String thisStart() {
        String all = log();
        int at = all.lastIndexOf("---- start " + starts + ":");
        return at < 0 ? all : all.substring(at);
    }

    /**
     * The runtime's secret store as on disk, opened with its own master key. Only reads are safe
     * while the process runs (the test never writes a running runtime's keys).
     */
    EncryptedFileStore keystore() throws IOException {
        Path ks = data().resolve("keystore");
        return new EncryptedFileStore(ks, ks.resolve("master.key"));
    }

    private void appendNote(String line) throws IOException {
        Files.writeString(logFile(), line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + START.toNanos();
        while (!condition.getAsBoolean()) {
            if (!alive()) {
                throw new AssertionError(role + " exited (" + (process == null ? "never started" : process.exitValue())
                        + ") before " + what + ":\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(role + " not " + what + " after " + START.toSeconds() + " s:\n" + tail());
            }
            Osgi.sleep(50);
        }
    }

    String tail() {
        String s = thisStart();
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
