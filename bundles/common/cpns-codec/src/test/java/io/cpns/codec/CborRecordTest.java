package io.cpns.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A secret-store record: aliases under its prefix, round trip, and one typed error for what is not a whole record. */
class CborRecordTest {
    record Stored(String groupId, long epoch, List<String> members, byte[] key) {
    }

    private static final CborRecord<Stored> RECORD = new CborRecord<>("gk.", Stored.class, "Group Key record",
            s -> s.groupId() != null && s.key() != null && s.members() != null);

    @Test
    void aRecordReadsBackAsWritten() {
        Stored s = RECORD.decode(RECORD.encode(new Stored("sg-1", 7, List.of("pne-tv"), new byte[] {1, 2, 3})));
        assertEquals("sg-1", s.groupId());
        assertEquals(7, s.epoch());
        assertEquals(List.of("pne-tv"), s.members());
        assertArrayEquals(new byte[] {1, 2, 3}, s.key());
    }

    @Test
    void aliasesAreThePrefixAndTheId() {
        assertEquals("gk.sg-1", RECORD.alias("sg-1"));
        assertEquals("sg-1", RECORD.id("gk.sg-1"));
    }

    @Test
    void notARecordIsInternalAndSaysWhichKind() {
        CpnsException garbage = assertThrows(CpnsException.class, () -> RECORD.decode("not cbor".getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.INTERNAL, garbage.code());
        assertEquals("unreadable Group Key record", garbage.getMessage());
        CpnsException partial = assertThrows(CpnsException.class,
                () -> RECORD.decode(RECORD.encode(new Stored("sg-1", 7, List.of(), null))));
        assertEquals(ErrorCode.INTERNAL, partial.code());
        assertEquals("incomplete Group Key record", partial.getMessage());
    }
}
