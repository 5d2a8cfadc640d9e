package io.cpns.release.tool;

import io.cpns.api.file.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files written whole or not at all, owner-only, never over an existing one (cpns-api's
 * {@link AtomicFile#createNew}): a key file cut by a crash or a second {@code keygen} over the
 * first would lose a key nobody can make again.
 */
final class SecureFiles {
    private SecureFiles() {
    }

    static void createNew(Path target, byte[] content) throws ToolException {
        try {
            createDirectories(target.toAbsolutePath().getParent());
            AtomicFile.createNew(target, content);
        } catch (FileAlreadyExistsException e) {
            throw new ToolException(target + " exists: not overwritten");
        } catch (IOException e) {
            throw new ToolException("cannot write " + target + ": " + e.getMessage());
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
