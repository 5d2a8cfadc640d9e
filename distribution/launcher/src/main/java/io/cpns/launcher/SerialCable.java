package io.cpns.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A null-modem cable made of two pseudo-terminals joined by socat: a gateway end and a PNE end. */
final class SerialCable implements AutoCloseable {
    private final Process socat;
    final Path gatewayEnd;
    final Path pneEnd;

    private SerialCable(Process socat, Path gatewayEnd, Path pneEnd) {
        this.socat = socat;
        this.gatewayEnd = gatewayEnd;
        this.pneEnd = pneEnd;
    }

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

    static SerialCable open(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path gw = dir.resolve("tty-gateway");
        Path pne = dir.resolve("tty-pne");
        Process p = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + gw, "pty,raw,echo=0,link=" + pne)
                .redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(gw) && Files.exists(pne))) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroy();
                throw new IOException("socat did not create " + gw + " and " + pne);
            }
            Thread.sleep(20);
        }
        return new SerialCable(p, gw, pne);
    }

    @Override
    public void close() {
        socat.destroy();
    }
}
