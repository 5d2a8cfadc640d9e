package io.cpns.gw.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.EntityId;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredIdTest {
    @TempDir
    Path dir;

    @Test
    void generatedOnce_thenStable_becauseTheEuKeyIsBoundToIt() throws Exception {
        EntityId first = StoredId.resolve("", dir);
        assertTrue(first.value().matches("gw-[0-9a-f]{12}"), first.value());
        assertEquals(first, StoredId.resolve("", dir));
    }

    @Test
    void configuredId_wins() throws Exception {
        assertEquals(EntityId.of("gw-livingroom"), StoredId.resolve(" gw-livingroom ", dir));
    }
}
