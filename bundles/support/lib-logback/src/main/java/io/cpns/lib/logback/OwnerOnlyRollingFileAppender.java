package io.cpns.lib.logback;

import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A {@link RollingFileAppender} whose files are owner-only (0600) whatever the process' umask: the
 * log names users, gateways and addresses (docs/security.md §10.3). Logback opens the active file
 * at start and after each rollover (which renames, keeping the mode) through {@link #openFile}.
 * Called on the logging thread under the appender's lock.
 */
public final class OwnerOnlyRollingFileAppender<E> extends RollingFileAppender<E> {
    @Override
    public void openFile(String fileName) throws IOException {
        Path file = Path.of(fileName).toAbsolutePath();
        ownerOnlyDirectory(file.getParent());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException | UnsupportedOperationException e) {
            // appended to as it is; or not a POSIX file system
        }
        super.openFile(fileName);
    }

    /** The log directory, 0700 when this creates it. */
    static void ownerOnlyDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir); // not a POSIX file system
        }
    }
}
