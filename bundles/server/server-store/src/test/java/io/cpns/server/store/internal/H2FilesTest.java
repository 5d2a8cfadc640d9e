package io.cpns.server.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.UserId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded database's files hold password hashes and PN data: owner-only whatever the umask. */
class H2FilesTest {
    @TempDir
    Path dir;

    @Test
    void anEmbeddedDatabase_isCreatedInAnOwnerOnlyDirectory_andItsFilesAreOwnerOnly() throws Exception {
        Path base = dir.resolve("data/db/cpns");
        try (OpenJdbcStore store = OpenJdbcStore.open("jdbc:h2:file:" + base + ";DB_CLOSE_ON_EXIT=FALSE", "cpns", "", 2)) {
            store.insertUser(UserId.of("alice"), "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA");
            assertEquals("rwx------", mode(base.getParent()));
            List<Path> files;
            try (var s = Files.list(base.getParent())) {
                files = s.toList();
            }
            assertTrue(files.contains(dir.resolve("data/db/cpns.mv.db")), files.toString());
            for (Path f : files) {
                assertEquals("rw-------", mode(f), f.toString());
            }
        }
    }

    @Test
    void aDatabaseFileCreatedLoose_isTightenedWhenOpened() throws Exception {
        Path base = dir.resolve("cpns");
        try (OpenJdbcStore store = OpenJdbcStore.open("jdbc:h2:file:" + base, "cpns", "", 2)) {
            assertEquals("rw-------", mode(dir.resolve("cpns.mv.db")));
        }
        Files.setPosixFilePermissions(dir.resolve("cpns.mv.db"), PosixFilePermissions.fromString("rw-r--r--")); // an older version's
        Files.writeString(dir.resolve("other.txt"), "not the database's");
        Files.setPosixFilePermissions(dir.resolve("other.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        try (OpenJdbcStore store = OpenJdbcStore.open("jdbc:h2:file:" + base, "cpns", "", 2)) {
            assertEquals("rw-------", mode(dir.resolve("cpns.mv.db")));
            assertEquals("rw-r--r--", mode(dir.resolve("other.txt")), "not ours to change");
        }
    }

    @Test
    void onlyEmbeddedFileUrls_haveFiles() {
        assertEquals(Optional.of(Path.of("/var/lib/cpns/db")), H2Files.base("jdbc:h2:file:/var/lib/cpns/db;MODE=PostgreSQL"));
        assertEquals(Optional.of(Path.of("/srv/x")), H2Files.base("jdbc:h2:/srv/x"));
        assertEquals(Optional.of(Path.of(System.getProperty("user.home"), "cpns")), H2Files.base("jdbc:h2:~/cpns"));
        assertFalse(H2Files.base("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1").isPresent());
        assertFalse(H2Files.base("jdbc:h2:tcp://db.example/cpns").isPresent());
        assertFalse(H2Files.base("jdbc:postgresql://db.example/cpns").isPresent());
    }

    private static String mode(Path p) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
