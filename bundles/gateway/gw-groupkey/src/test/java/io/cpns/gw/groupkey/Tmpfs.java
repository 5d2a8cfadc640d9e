package io.cpns.gw.groupkey;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A real small filesystem for full-disk tests: a tmpfs mounted here (root only). */
final class Tmpfs {
    private Tmpfs() {
    }

    /** @return null once mounted, else why it cannot be (the test skips with that reason) */
    static String mount(Path dir, String size) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? null : "cannot mount a tmpfs (needs root): " + out;
        } catch (IOException e) {
            return "cannot mount a tmpfs: " + e.getMessage();
        }
    }

    static void unmount(Path dir) throws IOException, InterruptedException {
        new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor();
    }

    /** Writes one file until the filesystem is full; returns it (delete it to free the space). */
    static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler, StandardOpenOption.CREATE_NEW)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return filler;
    }
}
