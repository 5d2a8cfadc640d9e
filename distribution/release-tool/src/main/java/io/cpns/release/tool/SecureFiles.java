package io.cpns.release.tool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files written whole or not at all, owner-only, never over an existing one: a temporary file in
 * the same directory, written and fsynced, then linked to its name (which fails if the name is
 * taken) and the directory fsynced. A key file cut by a crash or a second {@code keygen} over the
 * first would lose a key nobody can make again.
 */
final class SecureFiles {
    private SecureFiles() {
    }

    static void createNew(Path target, byte[] content) throws ToolException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", ownerOnly("rw-------"));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.createLink(target, tmp);
                Files.delete(tmp);
            } catch (UnsupportedOperationException noLinks) {
                if (Files.exists(target)) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new ToolException(target + " exists: not overwritten");
        } catch (IOException e) {
            throw new ToolException("cannot write " + target + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray temporary file, owner-only
                }
            }
        }
    }

    static void createDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, ownerOnly("rwx------"));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(dir);
            }
        }
    }

    /** fsync of a directory, so a rename or link in it survives a power cut (Linux; a no-op where it cannot be opened). */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException notSupported) {
            // some platforms cannot open a directory; the data itself is synced
        }
    }

    static void writeSynced(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    static FileAttribute<?>[] ownerOnly(String perms) {
        try {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))};
        } catch (UnsupportedOperationException notPosix) {
            return new FileAttribute<?>[0];
        }
    }
}
