package io.cpns.launcher;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Keeps a runtime's data directory owner-only. It holds keys, the Server's database (password
 * hashes, PN data), Config Admin's copies of the configuration (database and enrolment passwords)
 * and Felix's bundle cache, and Felix, Config Admin and H2 create their files with the process
 * umask, which Java cannot set. So: {@code bin/cpns-*} set {@code umask 077}; the launcher creates
 * the data directory 0700, and at start and again once the runtime is up takes every group and
 * other bit off what is under it (directories 0700, files 0600, an owner's execute bit kept),
 * with one line when it had to. Symbolic links are neither followed nor changed. Nothing under
 * the data directory is public by design: the operator CA certificate the Server generates is
 * copied out by the operator, as the owner.
 */
final class OwnerOnly {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** What {@link #secure} tightened. */
    record Tightened(int files, int directories) {
        boolean any() {
            return files + directories > 0;
        }
    }

    private OwnerOnly() {
    }

    /** Creates {@code dir} (and missing parents) owner-only, unless it exists. */
    static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        }
    }

    /** Takes every group and other permission off {@code dir} and everything under it; a no-op where there are none. */
    static Tightened secure(Path dir) throws IOException {
        if (!Files.isDirectory(dir) || !Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            return new Tightened(0, 0);
        }
        int[] n = new int[2];
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                n[1] += tighten(d) ? 1 : 0; // before its content: nobody else may enter while we walk
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    n[0] += tighten(f) ? 1 : 0;
                }
                return FileVisitResult.CONTINUE; // links, sockets: not ours to change
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE; // gone meanwhile (a temporary file): nothing to protect
            }
        });
        return new Tightened(n[0], n[1]);
    }

    /** {@link #secure}, saying in one line what it had to change and why it matters. */
    static void secureAndReport(Path dir, String when) {
        try {
            Tightened t = secure(dir);
            if (t.any()) {
                System.out.printf("%s WARN  cpns-launcher  %s: made %d files and %d directories under %s owner-only "
                        + "(group or others could read them; start through bin/cpns-* so the umask is 077)%n",
                        Instant.now(), when, t.files(), t.directories(), dir);
            }
        } catch (IOException e) {
            System.out.printf("%s ERROR cpns-launcher  %s: could not make %s owner-only: %s%n", Instant.now(), when, dir, e);
        }
    }

    private static boolean tighten(Path p) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
        if (!perms.removeAll(GROUP_OR_OTHERS)) {
            return false;
        }
        Files.setPosixFilePermissions(p, perms);
        return true;
    }
}
