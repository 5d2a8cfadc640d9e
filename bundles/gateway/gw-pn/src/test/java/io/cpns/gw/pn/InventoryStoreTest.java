package io.cpns.gw.pn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.gateway.PnMemberRecord;
import io.cpns.keystore.EncryptedFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryStoreTest {
    @TempDir
    Path dir;

    private EncryptedFileStore secrets() throws Exception {
        return new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
    }

    private static List<PnMemberRecord> member(String pne) {
        return List.of(new PnMemberRecord(pne, Map.of(), List.of(), true, Instant.now()));
    }

    @Test
    void oneCorruptRecordOfTwo_isQuarantined_theOtherPnLoads() throws Exception {
        InventoryStore before = new InventoryStore(secrets());
        before.merge("pn-bad", "pne-a", member("pne-a"));
        before.merge("pn-good", "pne-b", member("pne-b"));
        Path file = dir.resolve("ks/pn.pn-bad.sec");
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x10;
        Files.write(file, b);

        InventoryStore after = new InventoryStore(secrets());
        assertTrue(after.get("pn-good").isPresent());
        assertFalse(after.get("pn-bad").isPresent());
        InventoryStore.Quarantined q = after.quarantined().get(0);
        assertEquals("pn-bad", q.pnId());
        assertTrue(Files.exists(Path.of(q.where().orElseThrow())));
        assertTrue(q.reason().contains("does not decrypt"), q.reason());
        assertEquals(1, after.quarantined().size());
    }

    @Test
    void aRecordThatDecryptsButIsNoPn_isQuarantinedToo() throws Exception {
        EncryptedFileStore s = secrets();
        s.put("pn.pn-odd", new byte[] {(byte) 0xa0}); // CBOR: an empty map, no PN ID
        InventoryStore after = new InventoryStore(s);
        assertEquals(0, after.all().size());
        assertEquals("pn-odd", after.quarantined().get(0).pnId());
    }
}
