package io.cpns.api.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Writes a file so that after a crash or power cut it holds either its old content or the new one:
 * a temporary file beside it ({@code .NAME.<random>.tmp}, owner-only from its creation), written
 * and fsynced, renamed over the file, and the directory fsynced so the rename itself is durable.
 * A write that fails part way leaves the old file as it was and removes its temporary file.
 *
 * <p>Callers create the directory themselves (each has its own rule for its mode). Two writers of
 * the same file at once do not corrupt it: each has its own temporary file, the last rename wins.
 */
public final class AtomicFile {
    private static final String OWNER_ONLY = "rw-------";

    private AtomicFile() {
    }

    /** What a caller writes into the temporary file (e.g. {@code KeyStore.store}); it need not close the stream. */
    @ConsumerType
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code file} with {@code content}, owner-only (0600 where POSIX). */
    public static void write(Path file, byte[] content) throws IOException {
        write(file, out -> out.write(content));
    }

    /** Replaces {@code file} with what {@code content} writes, owner-only; if it throws, {@code file} is unchanged. */
    public static void write(Path file, Content content) throws IOException {
        Path dir = directoryOf(file);
        Path tmp = temporary(file, dir, content);
        try {
            move(tmp, file);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates {@code file} with {@code content}, owner-only, never over an existing file: the
     * temporary file is hard-linked to the name, which fails if the name is taken (a second key
     * generation over the first would lose a key nobody can make again).
     *
     * @throws FileAlreadyExistsException if {@code file} exists; it is left as it was
     */
    public static void createNew(Path file, byte[] content) throws IOException {
        Path dir = directoryOf(file);
        Path tmp = temporary(file, dir, out -> out.write(content));
        try {
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException noLinks) {
                if (Files.exists(file)) {
                    throw new FileAlreadyExistsException(file.toString());
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames {@code from} to {@code to}, replacing it, atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Forces a file's content to disk (e.g. a file copied into a directory before that is renamed into place). */
    public static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes a rename or a new name in {@code dir} durable (POSIX: fsync the directory); a no-op where a directory cannot be opened. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // e.g. Windows cannot open a directory; the rename itself is still atomic
        }
    }

    /**
     * Removes the temporary files a write of {@code file} cut short by a crash left beside it. Only
     * for a caller that is the file's sole writer at that moment (another writer's temporary file
     * would go too).
     */
    public static List<Path> deleteLeftovers(Path file) throws IOException {
        Path dir = directoryOf(file);
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        String prefix = "." + file.getFileName() + ".";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && Files.isRegularFile(p);
        })) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
                removed.add(p);
            }
        }
        return removed;
    }

    private static Path directoryOf(Path file) {
        return file.toAbsolutePath().getParent();
    }

    /** The content in an owner-only temporary file beside {@code file}, fsynced; nothing left behind if writing fails. */
    private static Path temporary(Path file, Path dir, Content content) throws IOException {
        Path tmp = createTemp(dir, "." + file.getFileName() + ".");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            done = true;
            return tmp;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static Path createTemp(Path dir, String prefix) throws IOException {
        try {
            return Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempFile(dir, prefix, ".tmp"); // not a POSIX file system: its ACLs apply
        }
    }
}
