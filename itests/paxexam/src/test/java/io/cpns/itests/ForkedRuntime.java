package io.cpns.itests;

import io.cpns.keystore.EncryptedFileStore;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CPNS runtime of the distribution in a process of its own, as an operator runs it
 * ({@code bin/cpns-gateway} or {@code bin/cpns-server} with {@code --data} and {@code --config}):
 * its configuration directory is a copy of {@code etc/ROLE/config} with the test's changes, its
 * data directory its own, its standard output and error in {@code <home>/<role>.log} (appended
 * across starts, each start and kill marked). The one harness every forked test uses
 * (docs/fault-injection.md).
 *
 * <p>The fault-injection part: {@link #start} with fault points armed ({@code -Dcpns.faultpoints},
 * see {@link io.cpns.api.FaultPoints}) makes the process stop at one of them, {@link #awaitFaultPoint}
 * sees it there, and {@link #kill9} cuts the power with a real {@code kill -9} of the JVM. A later
 * {@link #start} finds whatever the killed process left on disk.
 *
 * <p>With {@link #terminal()} the process runs under {@code script(1)}, so its Gogo shell reads
 * what {@link #shell} types, as at an operator's console; a command that asks for a password
 * ({@code server:useradd}, {@code gw:onboard}) gets it typed at its prompt with echo off
 * ({@link #shellWithPassword}): never on a command line, in the environment or in the log.
 */
final class ForkedRuntime implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(90);
    /** The JVM options of the harness: the gateway's shipped heap, a quick start. */
    static final String SMALL = "-Xms16m -Xmx64m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    /** The Server hashes passwords (the tests' Argon2id settings are small, see {@link #server}). */
    static final String SERVER = "-Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    private static final Pattern DEFAULT_OPTS = Pattern.compile("\\$\\{CPNS_JAVA_OPTS:-([^}]*)}");
    private static final Pattern LOG_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+ (TRACE|DEBUG|INFO |WARN |ERROR|AUDIT) .*");
    private static final String PROMPT = "g! ";

    final String role;
    private final Path home;
    private Path dist = CpnsOptions.dist();
    private String javaOpts;
    private boolean terminal;
    private final Map<String, String> env = new java.util.HashMap<>();
    private String umask;
    private Process process;
    private int starts;
    private int commands;

    private ForkedRuntime(String role, Path home) {
        this.role = role;
        this.home = home;
        this.javaOpts = role.equals("server") ? SERVER : SMALL;
    }

    /** A runtime of {@code role} ({@code gateway} or {@code server}) living in {@code home}, configured as shipped. */
    static ForkedRuntime of(String role, Path home) throws IOException {
        ForkedRuntime r = new ForkedRuntime(role, home);
        Path config = Files.createDirectories(r.config());
        try (var files = Files.list(CpnsOptions.dist().resolve("etc").resolve(role).resolve("config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return r;
    }

    /**
     * A CPNS Server on a free port, with its console ({@link #terminal()}) to register users, and the
     * tests' small Argon2id cost (as the Pax Exam frameworks have).
     */
    static ForkedRuntime server(Path home) throws IOException {
        return of("server", home).terminal()
                .configure("cpns.server.endpoint", "port=" + AbstractSliceIT.freePort())
                .configure("cpns.server.artifacts", "port=0") // never the fixed 7444 of a default install in a test
                .configure("cpns.server.users", "argon2MemoryKiB=4096", "argon2Iterations=1");
    }

    /**
     * A PN GW that enrols itself with {@code user}'s credentials at the Server on {@code serverPort}
     * (whose operator CA is {@code operatorCa}), on free ports, broker included; discovery off.
     */
    static ForkedRuntime gateway(Path home, String gatewayId, int serverPort, Path operatorCa, String user, String password)
            throws IOException {
        return of("gateway", home)
                .configure("cpns.gw.identity", "gatewayId=" + gatewayId)
                .configure("cpns.gw.link", "serverHost=127.0.0.1", "serverPort=" + serverPort, "serverId=cpns-server",
                        "serverName=localhost", "operatorCaFile=" + operatorCa, "userId=" + user, "password=" + password,
                        "keepaliveSeconds=5", "backoffInitialMillis=100", "backoffMaxMillis=500")
                // every PNE of a test comes from 127.0.0.1: a campaign's 100 connect without a key at once
                .configure("cpns.pan.ip", "port=" + AbstractSliceIT.freePort(), "discoveryPort=0", "announceSeconds=0",
                        "maxUnauthenticatedPerAddress=1024")
                .configure("cpns.gw.broker", "port=" + AbstractSliceIT.freePort());
    }

    /**
     * Runs it from a distribution of its own with these framework properties added to
     * {@code etc/ROLE/role.properties} (e.g. the root key a gateway pins): {@code bin/}, {@code lib/}
     * and {@code bundle/} are links to the built distribution, {@code etc/} and {@code deploy/} its own.
     */
    ForkedRuntime frameworkProperties(Map<String, String> props) throws IOException {
        Path own = home.resolve("dist");
        Path built = CpnsOptions.dist();
        if (!Files.isDirectory(own)) {
            Files.createDirectories(own);
            for (String d : List.of("bin", "lib", "bundle")) {
                Files.createSymbolicLink(own.resolve(d), built.resolve(d));
            }
            Files.createDirectories(own.resolve("deploy").resolve(role));
            try (var tree = Files.walk(built.resolve("etc"))) {
                for (Path p : tree.toList()) {
                    Path to = own.resolve("etc").resolve(built.resolve("etc").relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        StringBuilder lines = new StringBuilder("\n# the test's\n");
        props.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        Files.writeString(own.resolve("etc").resolve(role).resolve("role.properties"), lines.toString(), StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        dist = own;
        return this;
    }

    /** The distribution it runs from (the built one, or its own: {@link #frameworkProperties}). */
    Path dist() {
        return dist;
    }

    /** Its {@code deploy/ROLE} directory (FileInstall's), when it runs from a distribution of its own. */
    Path deploy() {
        return dist.resolve("deploy").resolve(role);
    }

    /** Replaces the file of one PID ({@code <pid>.cfg}) with these {@code key=value} lines. */
    ForkedRuntime configure(String pid, String... lines) throws IOException {
        Files.write(config().resolve(pid + ".cfg"), List.of(lines));
        return this;
    }

    /** Runs it under {@code script(1)}: a terminal, so its Gogo shell reads {@link #shell} commands. */
    ForkedRuntime terminal() {
        terminal = true;
        return this;
    }

    /** An environment variable of the next starts (e.g. what a {@code $[env:NAME]} reference in a .cfg file names). */
    ForkedRuntime env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs the script's java command line directly under this umask, as an operator might start it without the script. */
    ForkedRuntime umask(String mask) {
        umask = mask;
        return this;
    }

    /** {@code CPNS_JAVA_OPTS} for the next starts; null for the script's own default ({@link #scriptDefaultJavaOpts}). */
    ForkedRuntime javaOpts(String opts) {
        javaOpts = opts;
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

    int port(String pid) {
        return Integer.parseInt(configured(pid, "port"));
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

    /** The JVM options {@code bin/cpns-ROLE} uses when {@code CPNS_JAVA_OPTS} is not set (its heap). */
    static String scriptDefaultJavaOpts(String role) throws IOException {
        Matcher m = DEFAULT_OPTS.matcher(Files.readString(CpnsOptions.dist().resolve("bin/cpns-" + role)));
        if (!m.find()) {
            throw new IllegalStateException("no ${CPNS_JAVA_OPTS:-...} default in bin/cpns-" + role);
        }
        return m.group(1);
    }

    /** Starts the process; with {@code faultPoints} it stops for good at the first one it reaches. */
    ForkedRuntime start(String... faultPoints) throws IOException {
        if (alive()) {
            throw new IllegalStateException(role + " already running");
        }
        String armed = faultPoints.length == 0 ? "" : " -Dcpns.faultpoints=" + String.join(",", faultPoints);
        // null: the script's default (without CPNS_JAVA_OPTS), unless the options must be given anyway
        String opts = javaOpts != null ? javaOpts : umask != null || !armed.isEmpty() ? scriptDefaultJavaOpts(role) : null;
        opts = opts == null ? null : opts + armed;
        String args = " --data '" + data() + "' --config '" + config() + "'";
        String command = umask == null ? "exec '" + dist.resolve("bin/cpns-" + role) + "'" + args
                : "umask " + umask + "; exec java " + opts + " -Dcpns.home='" + dist + "' -cp '" + dist.resolve("lib") + "/*' "
                + "io.cpns.launcher.Main " + role + args;
        List<String> argv = terminal ? List.of("script", "-qfec", command, "/dev/null") : List.of("sh", "-c", command);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        pb.environment().remove("CPNS_JAVA_OPTS");
        if (opts != null) {
            pb.environment().put("CPNS_JAVA_OPTS", opts);
        }
        pb.environment().put("TERM", "dumb");
        pb.environment().putAll(env);
        if (!terminal) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        note("---- start " + (++starts) + ":" + (faultPoints.length == 0 ? "" : " fault points " + String.join(",", faultPoints)));
        process = pb.start();
        Process p = process;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // whatever happens to the tests
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }));
        return this;
    }

    /** Waits for this start's {@code CPNS runtime ready} line (cpns-health: every bundle and component active). */
    ForkedRuntime awaitReady() {
        await("ready", () -> thisStart().contains("CPNS runtime ready"));
        return this;
    }

    /** Waits until the process stopped at fault point {@code name}. */
    void awaitFaultPoint(String name) {
        await("at fault point " + name, () -> thisStart().contains("CPNS-FAULTPOINT " + name));
    }

    /** The power cut: SIGKILL to the JVM, no shutdown hook, no flush, no deactivation. */
    void kill9() throws IOException, InterruptedException {
        Process p = process;
        ProcessHandle jvm = jvm();
        Process kill = new ProcessBuilder("kill", "-9", String.valueOf(jvm.pid())).inheritIO().start();
        if (kill.waitFor() != 0 || !p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("kill -9 " + jvm.pid() + " failed");
        }
        note("---- kill -9 " + jvm.pid() + " (exit " + p.exitValue() + ")");
    }

    /** An orderly stop (SIGTERM to the JVM: the launcher stops the framework). */
    void stop() throws InterruptedException {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    Process process() {
        return process;
    }

    /** The JVM: the process itself, or the {@code java} under {@code script} and {@code sh}. */
    ProcessHandle jvm() {
        ProcessHandle p = process.toHandle();
        if (p.info().command().map(c -> c.endsWith("/java")).orElse(false)) {
            return p;
        }
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            var found = p.descendants().filter(d -> d.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no JVM under process " + p.pid());
            }
            Osgi.sleep(20);
        }
    }

    // ---- its console ----

    /**
     * Types a command at the Gogo shell of a runtime started with a {@link #terminal()} and returns
     * what it printed (log lines left out).
     *
     * @throws ShellError with Gogo's line when the command failed
     */
    synchronized String shell(String command) throws IOException {
        return run(command, null);
    }

    /**
     * Types a command that asks for a password ({@code password for X: }, read by {@code
     * System.console().readPassword} with echo off), waits for that prompt, then types the password.
     */
    synchronized String shellWithPassword(String command, String password) throws IOException {
        return run(command, password);
    }

    /**
     * Types a command and returns at once: for one that stops at a fault point (it never answers),
     * or runs while the test does something else. Its output is not read.
     */
    synchronized void typeCommand(String command) throws IOException {
        if (!terminal || !alive()) {
            throw new IllegalStateException(role + " has no console (terminal() and start() first)");
        }
        type(command);
    }

    /** Updates a bundle at the console ({@code update <id>}), found by its symbolic name. */
    void updateBundle(String symbolicName) throws IOException {
        String id = shell("lb -s " + symbolicName).lines().filter(l -> l.contains("|" + symbolicName + " ")).map(l -> l.split("\\|")[0].trim())
                .findFirst().orElseThrow(() -> new AssertionError("no bundle " + symbolicName));
        shell("update " + id);
    }

    /** A CPNS User at the Server's console, the password typed at its prompt. */
    void useradd(String user, String password) throws IOException {
        String out = shellWithPassword("server:useradd " + user, password);
        if (!out.contains("CPNS User " + user + " registered")) {
            throw new AssertionError("server:useradd " + user + ": " + out);
        }
    }

    /** A command failed: Gogo's own line. */
    static final class ShellError extends RuntimeException {
        ShellError(String line) {
            super(line);
        }
    }

    /**
     * Gogo prints only the last result of a line: {@code echo BEGIN; command} marks where the
     * command's output starts, and the next prompt ({@code g! }) where it ends.
     */
    private String run(String command, String password) throws IOException {
        if (!terminal || !alive()) {
            throw new IllegalStateException(role + " has no console (terminal() and start() first)");
        }
        String begin = "CPNS-CMD-" + (++commands) + "-BEGIN";
        int from = log().length();
        type("echo " + begin + "; " + command);
        if (password != null) {
            await("asking for a password after " + command, () -> output(from, begin).asking());
            type(password);
        }
        await("done with " + command, () -> output(from, begin).done());
        Output out = output(from, begin);
        if (out.failed() != null) {
            throw new ShellError(command + ": " + out.failed());
        }
        return String.join("\n", out.lines());
    }

    private record Output(List<String> lines, boolean asking, boolean done, String failed) {
    }

    private Output output(int from, String begin) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        boolean asking = false;
        String log = log();
        for (String raw : log.substring(Math.min(from, log.length())).split("\r?\n", -1)) {
            String line = raw.replace("\r", "");
            if (!in) {
                // the echo's output, also when a log line the runtime printed meanwhile shares its line
                // (the launcher's "runtime up" warning right after the ready line); not the typed command
                in = unprompt(line).equals(begin) || line.contains(begin) && !line.contains("echo " + begin);
            } else if (line.startsWith(PROMPT)) {
                return new Output(lines, asking, true, null);
            } else if (line.startsWith("gogo: ")) {
                return new Output(lines, asking, true, line);
            } else if (line.startsWith("password for ")) {
                asking = true;
            } else if (!LOG_LINE.matcher(line).matches()) {
                lines.add(line);
            }
        }
        return new Output(lines, asking, false, null);
    }

    private static String unprompt(String line) {
        while (line.startsWith(PROMPT)) {
            line = line.substring(PROMPT.length());
        }
        return line;
    }

    private void type(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    // ---- its log and its stores ----

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

    /** Lines so far, to mark where to read on from ({@link #linesSince}). */
    int lines() {
        return (int) log().lines().count();
    }

    /** The lines written since {@code mark} ({@link #lines()} at that time). */
    List<String> linesSince(int mark) {
        List<String> all = log().lines().toList();
        return new ArrayList<>(all.subList(Math.min(mark, all.size()), all.size()));
    }

    String tail() {
        String s = thisStart();
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    Path keystoreDir() {
        return data().resolve("keystore");
    }

    /**
     * The runtime's secret store as on disk, opened with its own master key. Only reads are safe
     * while the process runs (the test never writes a running runtime's keys).
     */
    EncryptedFileStore keystore() throws IOException {
        Path ks = keystoreDir();
        return new EncryptedFileStore(ks, ks.resolve("master.key"));
    }

    private void note(String line) throws IOException {
        Files.writeString(logFile(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
}
