package io.cpns.pne.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimTest {
    @Test
    void percentile_isNearestRank() {
        List<Double> v = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
        assertEquals(5.0, Report.percentile(v, 50));
        assertEquals(10.0, Report.percentile(v, 99));
        assertEquals(1.0, Report.percentile(v, 1));
        assertEquals(0.0, Report.percentile(List.of(), 50));
    }

    @Test
    void pakFile_generatedOnce_ownerOnly_thenRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("paks.gosh");
        assertNull(PakFile.keysFor(f, List.of("pne-a", "pne-b")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        List<String> lines = Files.readAllLines(f);
        assertEquals(2, lines.size());
        Map<String, byte[]> keys = PakFile.keysFor(f, List.of("pne-a", "pne-b"));
        assertEquals(32, keys.get("pne-a").length);
        assertArrayEquals(java.util.HexFormat.of().parseHex(lines.get(1).split(" ")[2]), keys.get("pne-b"));
        assertThrows(IllegalArgumentException.class, () -> PakFile.keysFor(f, List.of("pne-a", "pne-c")));
    }

    @Test
    void pakFile_refusesLinesThatAreNotPreassignCommands() {
        assertThrows(IllegalArgumentException.class, () -> PakFile.parse(List.of("gw:expel pne-a")));
        assertEquals(1, PakFile.parse(List.of("# keys", "", "gw:preassign pne-a 00ff")).size());
    }
}
