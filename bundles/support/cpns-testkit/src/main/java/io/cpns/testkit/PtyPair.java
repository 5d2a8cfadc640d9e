package io.cpns.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Two connected pseudo-terminals joined by socat: a null-modem serial cable with a gateway end and
 * a PNE end, for the serial adapter's tests, the Pax Exam ITs and the demo. Without socat
 * ({@code .ci/run} installs it) callers skip with a printed reason.
 */
public final class PtyPair implements AutoCloseable {
    private final Process socat;
    private final Path gateway;
    private final Path pne;

    private PtyPair(Process socat, Path gateway, Path pne) {
        this.socat = socat;
        this.gateway = gateway;
        this.pne = pne;
    }

    /**
     * Whether socat is installed.
     *
     * @deprecated {@link Commands#missing Commands.missing("socat")} also says which package to install
     */
    @Deprecated
    public static boolean available() {
        return Commands.installed("socat");
    }

    /** A cable whose ends are {@code dir/name-gw} and {@code dir/name-pne}; socat logs to {@code dir/name.socat.log}. */
    public static PtyPair open(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        return open(dir.resolve(name + "-gw"), dir.resolve(name + "-pne"), dir.resolve(name + ".socat.log"));
    }

    /** A cable with the given end paths (symbolic links socat creates); waits until both exist. */
    public static PtyPair open(Path gw, Path pne, Path logFile) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + gw, "pty,raw,echo=0,link=" + pne)
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        // generous: socat starts slowly on a loaded CI machine
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(gw) && Files.exists(pne))) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroy();
                throw new IOException("socat did not create " + gw + " and " + pne);
            }
            Thread.sleep(20);
        }
        return new PtyPair(p, gw, pne);
    }

    /** The end the gateway's serial adapter opens. */
    public String gatewaySide() {
        return gateway.toString();
    }

    /** The end a PNE opens. */
    public String pneSide() {
        return pne.toString();
    }

    @Override
    public void close() {
        socat.destroy();
        try {
            socat.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
