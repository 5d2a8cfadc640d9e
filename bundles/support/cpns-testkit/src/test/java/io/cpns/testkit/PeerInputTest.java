package io.cpns.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** The fuzzers' property: each way a decoder can break it is caught. */
class PeerInputTest {
    private static Object refuse(String detail) {
        throw new CpnsException(ErrorCode.MALFORMED, detail);
    }

    private static String failure(int length, java.util.concurrent.Callable<?> decoder) {
        return assertThrows(AssertionError.class, () -> PeerInput.decode(length, decoder)).getMessage();
    }

    @Test
    void aValue_orOurShortRefusal_pass() {
        assertEquals("ok", PeerInput.decode(2, () -> "ok"));
        assertNull(PeerInput.decode(2, () -> refuse("malformed message: unknown message type 'a`b [Source: x'")));
    }

    @Test
    void anotherException_fails() {
        assertTrue(failure(1, () -> {
            throw new IllegalStateException("boom");
        }).contains("IllegalStateException"));
    }

    @Test
    void libraryText_controlCharacters_loneSurrogates_orALongDetail_fail() {
        assertTrue(failure(1, () -> refuse("malformed message: Unexpected end-of-input at [Source: (byte[])[1 bytes]")).contains("internals"));
        assertTrue(failure(1, () -> refuse("Cannot coerce Integer value (2) to `java.lang.String` value")).contains("internals"));
        assertTrue(failure(1, () -> refuse("unreadable: MismatchedInputException")).contains("internals"));
        assertTrue(failure(1, () -> refuse("bad\nERROR forged")).contains("control character"));
        assertTrue(failure(1, () -> refuse("bad \uDC00")).contains("lone surrogate"));
        assertTrue(failure(1, () -> refuse("x".repeat(PeerInput.MAX_DETAIL + 1))).contains("characters"));
    }

    @Test
    void allocatingFarMoreThanTheInput_fails() {
        assertTrue(failure(10, () -> new byte[64 << 20]).contains("allocated"));
    }
}
