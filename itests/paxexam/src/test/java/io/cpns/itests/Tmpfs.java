package io.cpns.itests;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/** A small real filesystem a test fills up: a tmpfs it mounts (root only) and unmounts again. */
final class Tmpfs implements AutoCloseable {
    final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /**
     * Mounts a tmpfs of {@code size} (e.g. {@code 1m}) on a new directory.
     *
     * @return the mount, or null with the reason printed (the test then skips: not root, no mount)
     */
    static Tmpfs mount(String test, String size) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cpns-tmpfs");
        String why;
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            why = p.waitFor() == 0 ? null : "cannot mount a tmpfs (needs root): " + out;
        } catch (IOException e) {
            why = "cannot mount a tmpfs: " + e.getMessage();
        }
        if (why != null) {
            System.out.println(test + " skipped: " + why);
            return null;
        }
        return new Tmpfs(dir);
    }

    /** Writes {@code filler} until the filesystem is full. */
    Path fill(String filler) throws IOException {
        Path f = dir.resolve(filler);
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).toLowerCase().contains("no space")) {
                throw full;
            }
        }
        return f;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }
}
