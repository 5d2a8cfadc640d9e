package io.cpns.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Strings#printable}: what a peer's text becomes in a log line or an error detail on the wire. */
class StringsTest {
    /** Strict UTF-8, as the CBOR encoder writes text: a lone surrogate cannot be encoded. */
    private static void assertEncodable(String s) {
        try {
            StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new AssertionError("not encodable as UTF-8: " + s.chars().mapToObj(Integer::toHexString).toList(), e);
        }
    }

    @Test
    void controlCharacters_becomeQuestionMarks_soNoLineCanBeForged() {
        assertEquals("a?b?c?", Strings.printable("a\nb\rc\u0000"));
        assertEquals("null", Strings.printable(null));
    }

    @Test
    void longText_isCut_withAnEllipsis() {
        String s = Strings.printable("x".repeat(500));
        assertEquals(83, s.length());
        assertTrue(s.endsWith("..."));
    }

    @Test
    void loneSurrogates_becomeQuestionMarks_soTheResultEncodes() {
        assertEquals("a?b", Strings.printable("a\uD800b"));
        assertEquals("a?b", Strings.printable("a\uDC00b"));
        assertEquals("?", Strings.printable("\uD800"));
        assertEquals("ab?", Strings.printable("ab\uDBFF"));
        assertEncodable(Strings.printable("type \uD83D x \uDE00 y"));
    }

    @Test
    void surrogatePairs_areKept() {
        assertEquals("smile \uD83D\uDE00", Strings.printable("smile \uD83D\uDE00"));
    }

    @Test
    void cutting_neverSplitsASurrogatePair() {
        String s = "x".repeat(79) + "\uD83D\uDE00" + "tail";
        String p = Strings.printable(s);
        assertEncodable(p);
        assertTrue(p.endsWith("..."), p);
    }
}
