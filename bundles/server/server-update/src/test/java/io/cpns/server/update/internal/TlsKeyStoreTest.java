package io.cpns.server.update.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.pki.DevPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS key store Jetty reads: written whole or not at all, nothing of a failed write left beside it. */
class TlsKeyStoreTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWrite_keepsTheOldKeyStore_andLeavesNoTemporaryFile() throws Exception {
        DevPki.PkiFiles pki = DevPki.ensure(dir.resolve("pki"), "localhost", Duration.ofDays(2));
        char[] pw = "changeit-test".toCharArray();
        Path p12 = dir.resolve("https").resolve("https.p12");
        TlsKeyStore.write(TlsKeyStore.fromPem(pki.serverChain(), pki.serverKey(), pw), pw, p12);
        byte[] before = Files.readAllBytes(p12);

        KeyStore notLoaded = KeyStore.getInstance("PKCS12"); // store() refuses it part way
        assertThrows(KeyStoreException.class, () -> TlsKeyStore.write(notLoaded, pw, p12));

        assertEquals(List.of(p12), list(p12.getParent()));
        assertEquals(java.util.HexFormat.of().formatHex(before), java.util.HexFormat.of().formatHex(Files.readAllBytes(p12)));
    }

    private static List<Path> list(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
