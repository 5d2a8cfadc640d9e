package io.cpns.api.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** An error must always reach its peer: its detail can be encoded, whatever text it quotes. */
class ErrorMessageTest {
    @Test
    void loneSurrogatesInTheDetail_becomeQuestionMarks_pairsStay() {
        assertEquals("no entity x?y", ErrorMessage.of(new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no entity x\uD800y")).detail());
        assertEquals("?a?", new ErrorMessage(100, "\uDC00a\uD83D").detail());
        assertEquals("ok \uD83D\uDE00", new ErrorMessage(100, "ok \uD83D\uDE00").detail());
    }

    @Test
    void aWellFormedDetail_isKeptAsIs() {
        String detail = "a long reason ".repeat(20);
        assertSame(detail, new ErrorMessage(100, detail).detail());
        assertEquals("", new ErrorMessage(100, null).detail());
    }

    @Test
    void aPeersError_asAnException_cannotForgeOrFloodALogLine() {
        String hostile = "x\n2026-12-01T00:00:00Z ERROR gw-pan  forged" + "y".repeat(5000);
        String message = new ErrorMessage(203, hostile).toException().getMessage();
        assertEquals(-1, message.indexOf('\n'));
        assertEquals(true, message.length() < 200, message);
        assertEquals(ErrorCode.FORBIDDEN, new ErrorMessage(203, hostile).toException().code());
    }
}
