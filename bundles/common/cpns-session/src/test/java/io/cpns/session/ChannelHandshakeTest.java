package io.cpns.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.SessionChallenge;
import io.cpns.codec.FrameWriter;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The initiator's side of the handshake against a hostile responder: whatever text it answers
 * with reaches our exception (and so a log line) printable and short (found by SessionFuzzTest.initiator).
 */
class ChannelHandshakeTest {
    private static final EntityId PNE = EntityId.of("pne-1");
    private static final EntityId GW = EntityId.of("gw-1");
    private static final String FORGED = "bad\nERROR [gw-pan] forged line " + "x".repeat(10_000);
    private final MessageCodec codec = new MessageCodec();

    private CpnsException initiateAgainst(Envelope answer) throws IOException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        new FrameWriter(frames, 1 << 20).write(codec.encode(answer));
        MessageChannel ch = new MessageChannel(codec, new ByteArrayInputStream(frames.toByteArray()), new ByteArrayOutputStream(), 1 << 20,
                () -> { });
        return assertThrows(CpnsException.class, () -> ChannelHandshake.initiate(ch, Suites.modern(), PNE, GW, Randoms.bytes(32)));
    }

    private static void printableAndShort(CpnsException e) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage().length() + " characters");
    }

    @Test
    void refusalWithAForgedLogLine_isPrintableAndShort_codeKept() throws IOException {
        CpnsException e = initiateAgainst(new Envelope(GW, PNE, 1, new ErrorMessage(ErrorCode.UNSUPPORTED_SUITE.code(), FORGED)));
        assertEquals(ErrorCode.UNSUPPORTED_SUITE, e.code());
        printableAndShort(e);
    }

    @Test
    void challengeWithAForgedSuiteName_isUnsupportedSuite_printableAndShort() throws IOException {
        CpnsException e = initiateAgainst(new Envelope(GW, PNE, 1, new SessionChallenge(FORGED, Randoms.bytes(32))));
        assertEquals(ErrorCode.UNSUPPORTED_SUITE, e.code());
        printableAndShort(e);
    }
}
