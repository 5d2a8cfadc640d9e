package io.cpns.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFileStoreTest {
    @TempDir
    Path dir;

    private EncryptedFileStore open() throws Exception {
        return new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
    }

    @Test
    void put_get_survivesReopen() throws Exception {
        open().put("euk.gw-1", new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, open().get("euk.gw-1").orElseThrow());
    }

    @Test
    void secretIsNotInTheClearOnDisk_andFilesAreOwnerOnly() throws Exception {
        byte[] secret = "TOPSECRETTOPSECRET".getBytes();
        open().put("k", secret);
        byte[] onDisk = Files.readAllBytes(dir.resolve("ks/k.sec"));
        assertEquals(-1, new String(onDisk, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("TOPSECRET"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ks/k.sec"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ks/master.key"))));
    }

    @Test
    void overwrite_replaces_andLeavesNoTemporaryFiles() throws Exception {
        EncryptedFileStore s = open();
        s.put("k", new byte[] {1});
        s.put("k", new byte[] {2});
        assertArrayEquals(new byte[] {2}, s.get("k").orElseThrow());
        try (Stream<Path> files = Files.list(dir.resolve("ks"))) {
            assertEquals(Set.of("k.sec", "master.key"), files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void fileCopiedUnderAnotherAlias_doesNotDecrypt() throws Exception {
        EncryptedFileStore s = open();
        s.put("euk.gw-1", new byte[] {1});
        Files.copy(dir.resolve("ks/euk.gw-1.sec"), dir.resolve("ks/euk.gw-2.sec"), StandardCopyOption.REPLACE_EXISTING);
        assertEquals(ErrorCode.INTERNAL, assertThrows(CpnsException.class, () -> s.get("euk.gw-2")).code());
    }

    @Test
    void tamperedFile_isReportedCorrupt_notReturned() throws Exception {
        EncryptedFileStore s = open();
        s.put("k", new byte[] {1, 2, 3});
        Path f = dir.resolve("ks/k.sec");
        byte[] b = Files.readAllBytes(f);
        b[b.length - 1] ^= 1;
        Files.write(f, b);
        CpnsException e = assertThrows(CpnsException.class, () -> s.get("k"));
        assertTrue(e.getMessage().contains("does not decrypt"));
    }

    @Test
    void anotherMasterKey_cannotRead() throws Exception {
        open().put("k", new byte[] {1});
        Files.delete(dir.resolve("ks/master.key"));
        assertThrows(CpnsException.class, () -> open().get("k"));
    }

    @Test
    void closedStore_refusesEveryCall_insteadOfSealingUnderAWipedKey() throws Exception {
        EncryptedFileStore s = open();
        s.put("k", new byte[] {1});
        s.close();
        assertThrows(IllegalStateException.class, () -> s.put("k2", new byte[] {2}));
        assertThrows(IllegalStateException.class, () -> s.get("k"));
        assertFalse(java.nio.file.Files.exists(dir.resolve("ks/k2.sec")));
        assertArrayEquals(new byte[] {1}, open().get("k").orElseThrow());
    }

    @Test
    void delete_aliases_andInvalidAlias() throws Exception {
        EncryptedFileStore s = open();
        s.put("lek.pne-1", new byte[] {1});
        s.put("lek.pne-2", new byte[] {1});
        s.put("euk.gw", new byte[] {1});
        assertEquals(Set.of("lek.pne-1", "lek.pne-2"), s.aliases("lek."));
        assertTrue(s.delete("lek.pne-1"));
        assertFalse(s.delete("lek.pne-1"));
        assertFalse(s.get("lek.pne-1").isPresent());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> s.get("../etc/passwd")).code());
    }
}
