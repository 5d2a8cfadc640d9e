package io.cpns.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.store.CorruptSecretException;
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
        Files.write(dir.resolve("ks/master.key"), io.cpns.crypto.Randoms.bytes(32));
        assertEquals("k", assertThrows(CorruptSecretException.class, () -> open().get("k")).alias());
    }

    @Test
    void corruptRecord_isACorruptSecretException_namingAliasAndFile() throws Exception {
        EncryptedFileStore s = open();
        s.put("pn.pn-1", new byte[] {1, 2, 3});
        flipAByte(dir.resolve("ks/pn.pn-1.sec"));
        CorruptSecretException e = assertThrows(CorruptSecretException.class, () -> s.get("pn.pn-1"));
        assertEquals("pn.pn-1", e.alias());
        assertTrue(e.getMessage().contains(dir.resolve("ks/pn.pn-1.sec").toString()), e.getMessage());
        Files.write(dir.resolve("ks/pn.pn-2.sec"), new byte[] {'X'});
        assertEquals("pn.pn-2", assertThrows(CorruptSecretException.class, () -> s.get("pn.pn-2")).alias());
    }

    @Test
    void quarantine_movesTheRecordAside_ownerOnly_theAliasIsFree_andTheOthersKeepWorking() throws Exception {
        EncryptedFileStore s = open();
        s.put("pn.bad", new byte[] {1});
        s.put("pn.good", new byte[] {2});
        byte[] corrupt = flipAByte(dir.resolve("ks/pn.bad.sec"));

        Path where = Path.of(s.quarantine("pn.bad").orElseThrow());
        assertEquals(dir.resolve("ks/quarantine"), where.getParent());
        assertTrue(where.getFileName().toString().matches("pn\\.bad\\.sec\\.\\d{8}T\\d{6}\\.\\d{3}Z"), where.toString());
        assertArrayEquals(corrupt, Files.readAllBytes(where), "the bytes are kept for an operator");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(where)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(where.getParent())));
        assertEquals(Set.of("pn.good"), s.aliases("pn."));
        assertFalse(s.get("pn.bad").isPresent());
        assertArrayEquals(new byte[] {2}, s.get("pn.good").orElseThrow());
        assertTrue(s.quarantine("pn.bad").isEmpty(), "nothing left to set aside");

        s.put("pn.bad", new byte[] {3}); // the alias is usable again, and a second quarantine keeps both copies
        assertTrue(s.quarantine("pn.bad").isPresent());
        try (Stream<Path> q = Files.list(dir.resolve("ks/quarantine"))) {
            assertEquals(2, q.count());
        }
    }

    @Test
    void missingMasterKey_withSecrets_refusesToOpen_sayingHowToRecover() throws Exception {
        open().put("euk.gw-1", new byte[] {1});
        Files.delete(dir.resolve("ks/master.key"));
        MissingMasterKeyException e = assertThrows(MissingMasterKeyException.class, this::open);
        assertTrue(e.getMessage().contains("holds 1 secret(s)") && e.getMessage().contains("initialise=true"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("ks/master.key")), "no new master key was made");
        assertTrue(Files.exists(dir.resolve("ks/euk.gw-1.sec")), "nothing was touched");
    }

    @Test
    void missingMasterKey_onAStoreWithoutSecrets_isCreated() throws Exception {
        open();
        Files.delete(dir.resolve("ks/master.key"));
        open().put("k", new byte[] {1});
        assertEquals(32, Files.size(dir.resolve("ks/master.key")));
    }

    @Test
    void initialise_setsTheOldSecretsAside_andStartsOverWithANewMasterKey() throws Exception {
        open().put("euk.gw-1", new byte[] {1});
        open().put("lek.pne-1", new byte[] {2});
        Files.delete(dir.resolve("ks/master.key"));
        EncryptedFileStore s = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"), true);
        assertEquals(2, s.initialised().size());
        assertEquals(Set.of(), s.aliases(""));
        try (Stream<Path> q = Files.list(dir.resolve("ks/quarantine"))) {
            assertEquals(2, q.count());
        }
        s.put("k", new byte[] {3});
        assertArrayEquals(new byte[] {3}, open().get("k").orElseThrow());
        assertTrue(new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"), true).initialised().isEmpty(),
                "with its master key the store opens as usual, initialise or not");
    }

    @Test
    void directoryIsOwnerOnly_andAnOlderWiderOneIsTightened() throws Exception {
        Files.createDirectories(dir.resolve("ks"));
        Files.setPosixFilePermissions(dir.resolve("ks"), PosixFilePermissions.fromString("rwxr-xr-x"));
        open();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ks"))));
    }

    @Test
    void leftoversOfACrashedWrite_areRemovedByTheOwner_andWereNeverASecret() throws Exception {
        EncryptedFileStore s = open();
        s.put("k", new byte[] {1});
        Files.write(dir.resolve("ks/.k.sec.0a0b0c0d.tmp"), new byte[] {9});
        assertEquals(Set.of("k"), s.aliases(""));
        assertEquals(1, s.removeLeftovers());
        assertFalse(Files.exists(dir.resolve("ks/.k.sec.0a0b0c0d.tmp")));
    }

    private static byte[] flipAByte(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x40;
        Files.write(f, b);
        return b;
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
