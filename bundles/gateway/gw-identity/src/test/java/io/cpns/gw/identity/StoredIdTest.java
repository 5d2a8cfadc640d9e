package io.cpns.gw.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.EntityId;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredIdTest {
    @TempDir
    Path dir;

    @Test
    void generatedOnce_thenStable_becauseTheEuKeyIsBoundToIt() throws Exception {
        EntityId first = StoredId.resolve("", dir);
        assertTrue(first.value().matches("gw-[0-9a-f]{12}"), first.value());
        assertEquals(first, StoredId.resolve("", dir));
    }

    /** Written like every file under the data directory: owner-only (0600) whatever the umask, atomically, no temporary file left. */
    @Test
    void theGeneratedIdFile_isOwnerOnly_andAlone() throws Exception {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file modes");
        Path data = dir.resolve("data");
        EntityId id = StoredId.resolve("", data);
        assertEquals(id.value() + "\n", Files.readString(data.resolve("gateway-id")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("gateway-id"))));
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(data.resolve("gateway-id")), files.toList());
        }
    }

    @Test
    void configuredId_wins() throws Exception {
        assertEquals(EntityId.of("gw-livingroom"), StoredId.resolve(" gw-livingroom ", dir));
    }
}
