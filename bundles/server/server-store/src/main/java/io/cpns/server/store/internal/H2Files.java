package io.cpns.server.store.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;

/**
 * The files of an embedded H2 database hold password hashes and every household's PN data, and H2
 * creates them with the process umask: so their directory is created owner-only before H2 opens
 * the database, and the database's files ({@code <name>.mv.db}, {@code .trace.db}, ...) are made
 * 0600 once it has. Server (tcp:), in-memory and PostgreSQL URLs have no files here.
 */
final class H2Files {
    private H2Files() {
    }

    /** The database's base path ({@code .../cpns} for {@code .../cpns.mv.db}), if the URL names an embedded file. */
    static Optional<Path> base(String url) {
        if (!url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            return Optional.empty();
        }
        String name = url.substring(8).split(";", 2)[0];
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file:")) {
            name = name.substring(5);
        } else if (lower.matches("^[a-z]{2,}:.*")) {
            return Optional.empty(); // mem:, tcp:, ssl:, zip:, nio...: not a plain file here
        }
        if (name.startsWith("~")) {
            name = System.getProperty("user.home") + name.substring(1);
        }
        return name.isBlank() ? Optional.empty() : Optional.of(Path.of(name).toAbsolutePath());
    }

    /** Before H2 opens it: a missing directory is created 0700. An existing one is the operator's choice. */
    static void prepare(Path base) throws IOException {
        Path dir = base.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(dir);
            }
        }
    }

    /** After H2 opened it: each of its files 0600. */
    static void secure(Path base) throws IOException {
        Path dir = base.getParent();
        if (dir == null || !Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            return;
        }
        String prefix = base.getFileName() + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, f -> f.getFileName().toString().startsWith(prefix))) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                }
            }
        }
    }

    /** The directory itself owner-only: for the default database directory, which is ours. */
    static void secureDirectory(Path base) throws IOException {
        Path dir = base.getParent();
        if (dir != null && Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
