package io.cpns.gw.pn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.keystore.EncryptedFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PN GW's LocalEUKey changes (D31) on its real secret store. "The power goes" = the batch's
 * {@link LocalKeyChanges} is simply dropped, as a killed process drops it; a new start runs
 * {@link LocalKeyChanges#recover} on what is on disk.
 */
class LocalKeyChangesTest {
    static final byte[] OLD = {1, 1, 1};
    static final byte[] NEW = {2, 2, 2};

    @TempDir
    Path dir;
    EncryptedFileStore secrets;

    @BeforeEach
    void store() throws Exception {
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
    }

    private EncryptedFileStore afterRestart() throws Exception {
        return new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
    }

    @Test
    void powerCutAfterTheNewKeyIsStored_theRestartRollsItBack() throws Exception {
        secrets.put("lek.pne-1", OLD);
        new LocalKeyChanges(secrets).install("pne-1", NEW);
        assertArrayEquals(NEW, secrets.get("lek.pne-1").orElseThrow(), "what the PNE's PSK-TLS is checked against meanwhile");

        EncryptedFileStore restarted = afterRestart();
        assertEquals(List.of("pne-1"), LocalKeyChanges.recover(restarted).rolledBack());
        assertArrayEquals(OLD, restarted.get("lek.pne-1").orElseThrow());
        assertEquals(Set.of(), restarted.aliases(LocalKeyChanges.PENDING));
        assertEquals(List.of(), LocalKeyChanges.recover(restarted).rolledBack(), "once");
    }

    @Test
    void powerCutDuringAFirstEstablishment_theRestartRemovesTheKey() throws Exception {
        new LocalKeyChanges(secrets).install("pne-1", NEW);
        LocalKeyChanges.recover(afterRestart());
        assertFalse(afterRestart().get("lek.pne-1").isPresent());
    }

    @Test
    void powerCutAfterThePneProvedTheNewKey_theRestartKeepsIt() throws Exception {
        secrets.put("lek.pne-1", OLD);
        LocalKeyChanges batch = new LocalKeyChanges(secrets);
        batch.install("pne-1", NEW);
        batch.proven("pne-1");
        EncryptedFileStore restarted = afterRestart();
        assertEquals(List.of(), LocalKeyChanges.recover(restarted).rolledBack());
        assertArrayEquals(NEW, restarted.get("lek.pne-1").orElseThrow());
    }

    @Test
    void settled_joinedKeepTheirNewKey_theOthersGetTheirOldOneBack_andNothingIsLeftToRecover() throws Exception {
        secrets.put("lek.joined", OLD);
        secrets.put("lek.left", OLD);
        LocalKeyChanges batch = new LocalKeyChanges(secrets);
        batch.install("joined", NEW);
        batch.install("left", NEW);
        batch.install("new", NEW);
        batch.settle(Set.of("joined"));
        assertArrayEquals(NEW, secrets.get("lek.joined").orElseThrow());
        assertArrayEquals(OLD, secrets.get("lek.left").orElseThrow());
        assertFalse(secrets.get("lek.new").isPresent());
        assertEquals(Set.of(), secrets.aliases(LocalKeyChanges.PENDING));
    }

    @Test
    void aCorruptJournalEntry_isQuarantined_andTheOthersAreStillRolledBack() throws Exception {
        secrets.put("lek.pne-1", OLD);
        secrets.put("lek.pne-2", OLD);
        LocalKeyChanges batch = new LocalKeyChanges(secrets);
        batch.install("pne-1", NEW);
        batch.install("pne-2", NEW);
        Path entry = dir.resolve("ks/lekp.pne-1.sec");
        byte[] b = Files.readAllBytes(entry);
        b[b.length - 1] ^= 1;
        Files.write(entry, b);

        LocalKeyChanges.Recovered r = LocalKeyChanges.recover(afterRestart());
        assertEquals(List.of("pne-2"), r.rolledBack());
        assertEquals("pne-1", r.unreadable().get(0).pneId());
        assertTrue(r.unreadable().get(0).where().orElseThrow().contains("quarantine"));
        assertArrayEquals(OLD, afterRestart().get("lek.pne-2").orElseThrow());
    }
}
