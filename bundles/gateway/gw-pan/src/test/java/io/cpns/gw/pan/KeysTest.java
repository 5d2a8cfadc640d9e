package io.cpns.gw.pan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.keystore.EncryptedFileStore;
import io.cpns.testkit.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: a flipped byte in a PNE's {@code lek.*} or {@code pak.*} file made gw-pan refuse that
 * PNE on every attempt without a word (the record's failure was swallowed as "no key"). Now the
 * record is set aside, logged once and reported to {@code cpns:health} with the way back, and the
 * PNE's other key still works. A real encrypted file store, a real flipped byte.
 */
class KeysTest {
    private static final byte[] LEK = "0123456789abcdef0123456789abcdef".getBytes();
    private static final byte[] PAK = "pre-assigned-key-of-the-sensor!!".getBytes();

    @TempDir
    Path dir;
    private EncryptedFileStore store;
    private final TestLogger log = new TestLogger("gw-pan");
    private Keys keys;

    @BeforeEach
    void open() throws Exception {
        store = new EncryptedFileStore(dir, dir.resolve("master.key"));
        keys = new Keys(store, log.logger());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void flipAByte(String alias) throws Exception {
        Path f = dir.resolve(alias + ".sec");
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x01;
        Files.write(f, b);
    }

    private Path quarantined(String alias) throws Exception {
        try (Stream<Path> q = Files.list(dir.resolve("quarantine"))) {
            return q.filter(p -> p.getFileName().toString().startsWith(alias + ".sec.")).findFirst().orElseThrow();
        }
    }

    @Test
    void corruptLocalEuKey_isSetAside_reportedWithTheWayBack_andThePreAssignedKeyIsUsed() throws Exception {
        store.put("lek.pne-tv", LEK);
        store.put("pak.pne-tv", PAK);
        flipAByte("lek.pne-tv");

        Optional<byte[]> psk = keys.pskFor("pne-tv");
        assertArrayEquals(PAK, psk.orElseThrow());
        Path aside = quarantined("lek.pne-tv");
        assertFalse(Files.exists(dir.resolve("lek.pne-tv.sec")));

        List<String> problems = keys.problems();
        assertEquals(1, problems.size(), problems.toString());
        String line = problems.get(0);
        assertTrue(line.contains("LocalEUKey of PNE pne-tv") && line.contains(aside.toString())
                && line.contains("put a good copy back as " + dir.resolve("lek.pne-tv.sec")) && line.contains("gw:expel pne-tv"), line);
        assertEquals(1, log.lines().stream().filter(l -> l.contains("ERROR") && l.contains("lek.pne-tv")).count(), log.all());

        keys.pskFor("pne-tv"); // asked again: nothing more to set aside, one line only
        assertEquals(1, log.lines().stream().filter(l -> l.contains("lek.pne-tv")).count(), log.all());

        Files.delete(aside); // seen to
        assertEquals(List.of(), keys.problems());
    }

    @Test
    void corruptPreAssignedKey_isSetAside_andReported_otherPnesUnaffected() throws Exception {
        store.put("pak.pne-sensor", PAK);
        store.put("lek.pne-lamp", LEK);
        flipAByte("pak.pne-sensor");

        assertTrue(keys.pskFor("pne-sensor").isEmpty());
        assertTrue(keys.read(Keys.PRE_ASSIGNED, "pne-sensor").isEmpty());
        assertArrayEquals(LEK, keys.pskFor("pne-lamp").orElseThrow());
        String line = keys.problems().get(0);
        assertTrue(line.contains("pre-assigned key of PNE pne-sensor") && line.contains(quarantined("pak.pne-sensor").toString())
                && line.contains("gw:preassign pne-sensor"), line);
    }

    @Test
    void noKeyAndMalformedIds_areSimplyNoKey_andNoProblem() {
        assertTrue(keys.pskFor("pne-none").isEmpty());
        assertTrue(keys.pskFor("not an id!").isEmpty());
        assertEquals(List.of(), keys.problems());
    }
}
