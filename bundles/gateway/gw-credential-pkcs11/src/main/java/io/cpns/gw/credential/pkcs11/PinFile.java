package io.cpns.gw.credential.pkcs11;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/**
 * The token's user PIN, from a file only its owner may read (like the keystore's master.key): never
 * a configuration value, a command argument or a log line. One trailing line break is dropped.
 */
final class PinFile {
    private PinFile() {
    }

    /** @return the PIN; the caller wipes it */
    static char[] read(Path file) {
        byte[] raw;
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new CpnsException(ErrorCode.FORBIDDEN, "PIN file " + file + " is readable by others: chmod 600 it");
            }
            raw = Files.readAllBytes(file);
        } catch (UnsupportedOperationException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "PIN file " + file + ": no POSIX permissions to check");
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "PIN file " + file + " not readable: " + e.getClass().getSimpleName());
        }
        try {
            int n = raw.length;
            while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r')) {
                n--;
            }
            if (n == 0) {
                throw new CpnsException(ErrorCode.UNAVAILABLE, "PIN file " + file + " is empty");
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw, 0, n));
            char[] pin = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return pin;
        } finally {
            Bytes.wipe(raw);
        }
    }
}
