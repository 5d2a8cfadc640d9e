package io.cpns.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
    private static FrameReader reader(byte[] bytes, int max) {
        return new FrameReader(new ByteArrayInputStream(bytes), max);
    }

    @Test
    void writtenFrames_readBack_thenCleanEof() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out, 1024);
        w.write(new byte[] {1, 2, 3});
        w.write(new byte[] {4});
        FrameReader r = reader(out.toByteArray(), 1024);
        assertArrayEquals(new byte[] {1, 2, 3}, r.read());
        assertArrayEquals(new byte[] {4}, r.read());
        assertNull(r.read());
    }

    @Test
    void lengthPrefix_isFourBytesBigEndian() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out, 1024).write(new byte[300]);
        byte[] b = out.toByteArray();
        assertEquals(0, b[0]);
        assertEquals(0, b[1]);
        assertEquals(1, b[2]);
        assertEquals(44, b[3]);
    }

    @Test
    void oversizedFrame_isFrameTooLarge_beforeAnyAllocation() {
        byte[] header = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertEquals(ErrorCode.FRAME_TOO_LARGE, assertThrows(CpnsException.class, () -> reader(header, 1024).read()).code());
    }

    @Test
    void emptyFrame_truncatedHeader_truncatedBody_areMalformed() {
        assertEquals(ErrorCode.MALFORMED, assertThrows(CpnsException.class, () -> reader(new byte[] {0, 0, 0, 0}, 1024).read()).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(CpnsException.class, () -> reader(new byte[] {0, 0}, 1024).read()).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(CpnsException.class, () -> reader(new byte[] {0, 0, 0, 5, 1, 2}, 1024).read()).code());
    }

    @Test
    void configuredLimit_isClampedToTheHardMaximum() {
        assertEquals(Framing.HARD_MAX_FRAME, Framing.clamp(Integer.MAX_VALUE));
        assertEquals(256, Framing.clamp(1));
    }
}
