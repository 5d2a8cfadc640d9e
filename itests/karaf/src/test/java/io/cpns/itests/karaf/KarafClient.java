package io.cpns.itests.karaf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Karaf's own {@code bin/client}, run as an operator runs it (issue 14 §2): an SSH session with the
 * user key the test put in {@code etc/keys.properties}, the input typed through its standard input.
 * {@link #interactive} opens the interactive shell (a terminal on the Karaf side: prompts are
 * masked), {@link #batch} Karaf's batch mode {@code -b} (no terminal, as a script would use it).
 */
final class KarafClient {
    private static final long TIMEOUT_SECONDS = 120;

    private final Path home;
    private final int sshPort;
    private final Path userKey;

    KarafClient(Path home, int sshPort, Path userKey) {
        this.home = home;
        this.sshPort = sshPort;
        this.userKey = userKey;
    }

    /** The interactive shell: each line typed in turn (commands and the answers to their prompts), then {@code logout}. */
    String interactive(String... lines) throws IOException, InterruptedException {
        List<String> typed = new ArrayList<>(List.of(lines));
        typed.add("logout");
        return run(false, typed);
    }

    /** Batch mode: the commands read from standard input, no terminal. */
    String batch(String... commands) throws IOException, InterruptedException {
        return run(true, List.of(commands));
    }

    private String run(boolean batch, List<String> lines) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/client").toString(),
                "-a", String.valueOf(sshPort), "-u", "karaf", "-k", userKey.toString(), "-r", "10"));
        if (batch) {
            command.add("-b");
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "karaf-client-output");
        reader.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5_000);
            throw new AssertionError("bin/client did not end within " + TIMEOUT_SECONDS + " s: " + text(out));
        }
        reader.join(5_000);
        return text(out);
    }

    /** Without the terminal's colours and cursor movements. */
    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "");
        }
    }

    private static void copy(InputStream from, ByteArrayOutputStream to) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = from.read(buffer)) > 0; ) {
                synchronized (to) {
                    to.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
