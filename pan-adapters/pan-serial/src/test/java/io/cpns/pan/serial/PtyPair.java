package io.cpns.pan.serial;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Two connected pseudo-terminals (socat): a serial cable, gateway end and PNE end (as in itests). */
final class PtyPair implements AutoCloseable {
    private final Process socat;
    private final Path gateway;
    private final Path pne;

    private PtyPair(Process socat, Path gateway, Path pne) {
        this.socat = socat;
        this.gateway = gateway;
        this.pne = pne;
    }

    /** Whether socat is installed and runs. */
    static boolean available() {
        try {
            return new ProcessBuilder("socat", "-V").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static PtyPair open(Path dir, String name) throws IOException, InterruptedException {
        return open(dir.resolve(name + "-gw"), dir.resolve(name + "-pne"), dir.resolve(name + ".socat.log"));
    }

    static PtyPair open(Path gw, Path pne, Path logFile) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + gw, "pty,raw,echo=0,link=" + pne)
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(Files.exists(gw) && Files.exists(pne))) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroy();
                throw new IOException("socat did not create " + gw + " and " + pne);
            }
            Thread.sleep(5);
        }
        return new PtyPair(p, gw, pne);
    }

    String gatewaySide() {
        return gateway.toString();
    }

    String pneSide() {
        return pne.toString();
    }

    @Override
    public void close() throws InterruptedException {
        socat.destroy();
        socat.waitFor(5, TimeUnit.SECONDS);
    }
}
