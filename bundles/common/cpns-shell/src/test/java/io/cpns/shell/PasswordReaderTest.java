package io.cpns.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file form of a command's password, and the refusals that keep a password out of argument lists. */
class PasswordReaderTest {
    @TempDir
    Path dir;

    private Path file(String content, String mode) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void ownerOnlyFile_givesItsFirstLine() throws Exception {
        assertArrayEquals("s3cret é".toCharArray(), PasswordReader.read(v -> null, file("s3cret é\nrest\n", "rw-------").toString(), "p: "));
        assertArrayEquals("x".toCharArray(), PasswordReader.fromFile(file("x\r\n", "r--------")));
    }

    @Test
    void fileOthersMayRead_isRefusedWithoutReadingIt() throws Exception {
        Path f = file("s3cret\n", "rw-r--r--");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordReader.fromFile(f));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

    @Test
    void missingOrEmptyFile_isRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> PasswordReader.fromFile(dir.resolve("none")));
        assertThrows(IllegalArgumentException.class, () -> PasswordReader.fromFile(file("\nsecond line\n", "rw-------")));
    }

    @Test
    void noFileAndNoTerminal_namesTheFileOption() {
        // surefire's JVM has no console and the session no line reader: nothing can ask without echo
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordReader.read(v -> null, "", "p: "));
        assertTrue(e.getMessage().contains(PasswordReader.FILE_OPTION), e.getMessage());
    }

    @Test
    void refusal_saysHowWithoutRepeatingAnything() {
        String m = PasswordReader.refused("gw:assign alice").getMessage();
        assertTrue(m.contains("gw:assign --password-file <file> alice"), m);
    }
}
