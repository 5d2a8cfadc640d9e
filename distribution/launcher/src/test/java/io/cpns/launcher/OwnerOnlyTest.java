package io.cpns.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Felix, Config Admin and H2 leave readable under a 022 umask, the launcher makes owner-only. */
class OwnerOnlyTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    private static Path file(Path p, String mode) throws java.io.IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void looseFilesAndDirectories_becomeOwnerOnly_linksAndTheirTargetsAreLeftAlone() throws Exception {
        Path data = dir.resolve("data");
        Path config = file(data.resolve("felix-cache/bundle1/data/config/cpns/server/store.config"), "rw-r--r--");
        Path db = file(data.resolve("db/cpns.mv.db"), "rw-rw-rw-");
        Path script = file(data.resolve("felix-cache/bundle3/tool.sh"), "rwxr-xr-x");
        Path already = file(data.resolve("keystore/master.key"), "rw-------");
        try (var all = Files.walk(data)) { // as a 022 umask creates them
            for (Path d : all.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path outside = file(dir.resolve("elsewhere.txt"), "rw-r--r--");
        Files.createSymbolicLink(data.resolve("link"), outside);

        OwnerOnly.Tightened t = OwnerOnly.secure(data);

        assertEquals("rw-------", mode(config));
        assertEquals("rw-------", mode(db));
        assertEquals("rwx------", mode(script), "the owner's execute bit is kept");
        assertEquals("rw-------", mode(already));
        try (var all = Files.walk(data)) {
            for (Path p : all.filter(Files::isDirectory).toList()) {
                assertEquals("rwx------", mode(p), p.toString());
            }
        }
        assertEquals("rw-r--r--", mode(outside), "a link's target is not ours");
        assertEquals(3, t.files());
        assertEquals(10, t.directories(), "data, db, felix-cache, bundle1 and its data/config/cpns/server, bundle3, keystore");
        assertFalse(OwnerOnly.secure(data).any(), "nothing left to do: no second line");
    }

    @Test
    void theDataDirectory_isCreatedOwnerOnly() throws Exception {
        Path data = dir.resolve("home/data/server");
        OwnerOnly.createDirectories(data);
        assertEquals("rwx------", mode(data));
    }
}
