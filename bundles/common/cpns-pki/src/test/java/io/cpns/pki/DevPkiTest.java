package io.cpns.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPkiTest {
    @TempDir
    Path dir;

    private static List<X509Certificate> read(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream().map(X509Certificate.class::cast).toList();
        }
    }

    @Test
    void ensure_createsCaAndServerChain_serverSignedByCa_keysOwnerOnly() throws Exception {
        DevPki.PkiFiles f = DevPki.ensure(dir, "localhost", Duration.ofDays(30));
        X509Certificate ca = read(f.caCert()).get(0);
        List<X509Certificate> chain = read(f.serverChain());
        assertEquals(2, chain.size());
        chain.get(0).verify(ca.getPublicKey());
        assertTrue(chain.get(0).getSubjectAlternativeNames().stream().anyMatch(s -> "localhost".equals(s.get(1))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.serverKey())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(DevPki.CA_KEY))));
    }

    @Test
    void ensure_keepsTheDirectoryAndEveryFileOwnerOnly_alsoWhenAnOlderVersionLeftThemOpen() throws Exception {
        Path pki = dir.resolve("data/server/pki");
        DevPki.PkiFiles f = DevPki.ensure(pki, "localhost", Duration.ofDays(30));
        assertEquals("rwx------", mode(pki));
        try (var files = Files.list(pki)) {
            for (Path p : files.toList()) {
                assertEquals("rw-------", mode(p), p.toString());
            }
        }
        Files.setPosixFilePermissions(pki, PosixFilePermissions.fromString("rwxr-xr-x")); // as versions before issue 10 left them
        Files.setPosixFilePermissions(f.caCert(), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(f.serverChain(), PosixFilePermissions.fromString("rw-r--r--"));
        DevPki.ensure(pki, "localhost", Duration.ofDays(30));
        assertEquals("rwx------", mode(pki));
        assertEquals("rw-------", mode(f.caCert()));
        assertEquals("rw-------", mode(f.serverChain()));
    }

    private static String mode(Path p) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void ensure_isIdempotent_andReissuesForANewName() throws Exception {
        DevPki.PkiFiles f = DevPki.ensure(dir, "localhost", Duration.ofDays(30));
        String first = Files.readString(f.serverChain());
        DevPki.ensure(dir, "localhost", Duration.ofDays(30));
        assertEquals(first, Files.readString(f.serverChain()));
        DevPki.ensure(dir, "127.0.0.1", Duration.ofDays(30));
        X509Certificate leaf = read(f.serverChain()).get(0);
        assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(s -> (Integer) s.get(0) == 7 && "127.0.0.1".equals(s.get(1))));
        leaf.verify(read(f.caCert()).get(0).getPublicKey()); // same CA as before
    }
}
