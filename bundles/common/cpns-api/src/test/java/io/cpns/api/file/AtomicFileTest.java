package io.cpns.api.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    @Test
    void write_replacesTheContent_andLeavesOnlyTheFile() throws IOException {
        Path f = dir.resolve("state");
        AtomicFile.write(f, "old".getBytes(StandardCharsets.US_ASCII));
        AtomicFile.write(f, "new".getBytes(StandardCharsets.US_ASCII));
        assertEquals("new", Files.readString(f));
        assertEquals(List.of("state"), names());
    }

    @Test
    void write_isOwnerOnly_evenOverAFileOthersCouldRead() throws IOException {
        assumeTrue(posix(), "POSIX file modes");
        Path f = dir.resolve("secret");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        AtomicFile.write(f, new byte[] {1, 2, 3});
        assertEquals("rw-------", mode(f));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    }

    @Test
    void aWriterThatFailsPartWay_leavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("keystore.p12");
        AtomicFile.write(f, "old".getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, out -> {
            out.write("half of the new".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("keystore.p12"), names());
    }

    @Test
    void aWriterThatThrowsUnchecked_leavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("id");
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(f, out -> {
            throw new IllegalStateException("bug");
        }));
        assertEquals(List.of(), names());
    }

    @Test
    void createNew_writesOwnerOnly_andNeverOverAnExistingFile() throws IOException {
        Path f = dir.resolve("root.key");
        AtomicFile.createNew(f, "first".getBytes(StandardCharsets.US_ASCII));
        if (posix()) {
            assertEquals("rw-------", mode(f));
        }
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFile.createNew(f, "second".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("first", Files.readString(f));
        assertEquals(List.of("root.key"), names());
    }

    @Test
    void deleteLeftovers_removesOnlyThatFilesTemporaryFiles() throws IOException {
        Path f = dir.resolve("gateway-id");
        Files.writeString(dir.resolve(".gateway-id.123.tmp"), "cut short");
        Files.writeString(dir.resolve(".other.456.tmp"), "someone else's");
        Files.writeString(f, "kept");
        assertEquals(List.of(dir.resolve(".gateway-id.123.tmp")), AtomicFile.deleteLeftovers(f));
        assertEquals(List.of(".other.456.tmp", "gateway-id"), names());
    }

    @Test
    void move_replacesTheTarget() throws IOException {
        Path a = Files.writeString(dir.resolve("a"), "A");
        Path b = Files.writeString(dir.resolve("b"), "B");
        AtomicFile.move(a, b);
        assertEquals("A", Files.readString(b));
        assertEquals(List.of("b"), names());
    }
}
