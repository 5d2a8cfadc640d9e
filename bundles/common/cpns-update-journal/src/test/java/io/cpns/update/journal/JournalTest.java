package io.cpns.update.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    @Test
    void noFile_isEmpty_andEveryFieldSurvivesTheFile() throws IOException {
        assertEquals(Journal.empty(), Journal.read(dir));
        Journal j = Journal.empty().withKeysSeq(3).applying("r-1", 8, "8", false, "ab12", 1000).trial()
                .rollingBack("HEALTH_FAILED", "component gw-pn: waits for service x = y #1 ünïcode\nsecond line");
        j.write(dir);
        assertEquals(j, Journal.read(dir));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(dir.resolve(Journal.FILE)), s.toList(), "no temporary file left");
        }
        String text = Files.readString(dir.resolve(Journal.FILE), StandardCharsets.ISO_8859_1);
        assertTrue(text.chars().allMatch(c -> c == '\n' || c >= 0x20 && c < 0x7f), "ASCII only: " + text);
    }

    @Test
    void commit_raisesTheSequence_andRollback_marksTheReleaseBad() {
        Journal start = Journal.empty().applying("r-1", 8, "8", false, "aa", 1);
        Journal c = start.trial().committed("trial passed");
        assertEquals(8, c.committedSeq());
        assertEquals("8", c.committedSet());
        assertEquals(Phase.COMMITTED, c.phase());
        Journal idle = c.idle();
        assertEquals(new Journal(8, 0, "8", Phase.IDLE, "", 0, "", "", false, 0, "", "", "", 0, List.of()), idle);

        Journal next = idle.applying("r-2", 9, "9", false, "bb", 2);
        assertEquals("8", next.from());
        Journal rb = next.trial().rollingBack("PNE_LINKS_LOST", "2 PNEs").rolledBack("PNE_LINKS_LOST", "2 PNEs").idle();
        assertEquals(8, rb.committedSeq(), "a rollback keeps the committed sequence");
        assertEquals("8", rb.committedSet());
        assertTrue(rb.isBad("bb"));
        assertFalse(rb.isBad("aa"));
    }

    @Test
    void theBadListIsBounded_oldestForgotten() {
        Journal j = Journal.empty();
        for (int i = 0; i < Journal.MAX_BAD + 5; i++) {
            j = j.applying("r", 10 + i, String.valueOf(10 + i), false, "h" + i, 0).rolledBack("START_FAILED", "").idle();
        }
        assertEquals(Journal.MAX_BAD, j.bad().size());
        assertFalse(j.isBad("h0"));
        assertTrue(j.isBad("h" + (Journal.MAX_BAD + 4)));
    }

    @Test
    void aDamagedFile_isAnError_notAnEmptyJournal() throws IOException {
        Files.writeString(dir.resolve(Journal.FILE), "format=1\ncommittedSeq=seven\n");
        assertThrows(IOException.class, () -> Journal.read(dir));
        Files.writeString(dir.resolve(Journal.FILE), "format=2\n");
        assertThrows(IOException.class, () -> Journal.read(dir));
    }

    @Test
    void propertiesEscaping_readsBackWithJavaUtilProperties() throws IOException {
        Map<String, String> m = Map.of("k", " lead=:#!\\ \t\r\n\u00e9\u20ac end ", "empty", "");
        AtomicFiles.writeProperties(dir.resolve("p.properties"), m);
        assertEquals(m, AtomicFiles.readProperties(dir.resolve("p.properties")).orElseThrow());
    }
}
