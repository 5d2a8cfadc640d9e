package io.cpns.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.api.CpnsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SerialFramingTest {
    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    /** Examples from the COBS paper / Wikipedia's table, checked without the CRC layer. */
    @Test
    void cobs_publishedExamples() {
        assertEquals("0101", cobs(new byte[] {0}));
        assertEquals("010101", cobs(new byte[] {0, 0}));
        assertEquals("03112201", cobs(new byte[] {0x11, 0x22, 0x00}));
        assertEquals("0311220233", cobs(new byte[] {0x11, 0x22, 0x00, 0x33}));
        assertEquals("0511223344", cobs(new byte[] {0x11, 0x22, 0x33, 0x44}));
        // example 5: 01..FE (254 bytes) -> FF 01..FE
        byte[] b254 = range(1, 254);
        assertEquals("ff" + hex(b254), cobs(b254));
        // example 6: 00 01..FE (255 bytes) -> 01 FF 01..FE
        byte[] b255z = new byte[255];
        System.arraycopy(b254, 0, b255z, 1, 254);
        assertEquals("01ff" + hex(b254), cobs(b255z));
        // example 7: 01..FF (255 bytes) -> FF 01..FE 02 FF
        assertEquals("ff" + hex(b254) + "02ff", cobs(range(1, 255)));
    }

    private static byte[] range(int from, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static String cobs(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SerialFraming.cobsEncode(in, out);
        byte[] enc = out.toByteArray();
        assertArrayEquals(in, SerialFraming.cobsDecode(enc, enc.length));
        return hex(enc);
    }

    @Test
    void randomPayloads_roundTrip_andContainNoZeroBeforeTheDelimiter() {
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] p = new byte[1 + rnd.nextInt(1200)];
            rnd.nextBytes(p);
            if (i % 3 == 0) {
                p[rnd.nextInt(p.length)] = 0;
            }
            byte[] f = SerialFraming.encode(p);
            for (int j = 0; j < f.length - 1; j++) {
                assertEquals(false, f[j] == 0, "zero inside frame " + i);
            }
            assertEquals(0, f[f.length - 1]);
            assertArrayEquals(p, SerialFraming.decode(f, f.length - 1));
        }
    }

    @Test
    void corruptedByte_isACrcMismatch() {
        byte[] f = SerialFraming.encode("hello serial".getBytes());
        f[3] ^= 0x10;
        assertThrows(CpnsException.class, () -> SerialFraming.decode(f, f.length - 1));
    }

    @Test
    void reader_dropsDamagedAndOverlongFrames_andResynchronisesAtTheNextDelimiter() throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] good1 = SerialFraming.encode("one".getBytes());
        byte[] bad = SerialFraming.encode("two".getBytes());
        bad[2] ^= 0x01;
        byte[] noise = {0x55, 0x12, 0x33};
        byte[] tooLong = SerialFraming.encode(new byte[300]);
        byte[] good2 = SerialFraming.encode("three".getBytes());
        line.write(good1);
        line.write(bad);
        line.write(noise);
        line.write(0);
        line.write(0);
        line.write(tooLong);
        line.write(good2);
        SerialFrameReader r = new SerialFrameReader(new ByteArrayInputStream(line.toByteArray()), 256);
        assertArrayEquals("one".getBytes(), r.read());
        assertArrayEquals("three".getBytes(), r.read());
        assertNull(r.read());
        assertEquals(3, r.dropped());
    }

    @Test
    void lineReset_isTheEmptyPayload_distinctFromEveryEnvelope() throws Exception {
        assertEquals("010101010100", hex(SerialFraming.reset()));
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        SerialFrameWriter w = new SerialFrameWriter(line, 64);
        w.writeReset();
        w.write("after".getBytes());
        SerialFrameReader r = new SerialFrameReader(new ByteArrayInputStream(line.toByteArray()), 64);
        byte[] first = r.read();
        assertEquals(true, SerialFraming.isReset(first));
        assertArrayEquals("after".getBytes(), r.read());
        assertThrows(IllegalArgumentException.class, () -> w.write(new byte[0]), "an empty frame is only sent as a reset");
    }

    @Test
    void writerAndReader_carryEnvelopes() throws Exception {
        MessageCodec codec = new MessageCodec();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        var env = new io.cpns.api.message.Envelope(io.cpns.api.EntityId.of("pne-1"), io.cpns.api.EntityId.of("gw-1"), 3,
                new io.cpns.api.message.Ping(new byte[] {0, 0, 1}));
        new SerialFrameWriter(line, 1024).write(codec.encode(env));
        MessageChannel ch = new MessageChannel(codec, new SerialFrameReader(new ByteArrayInputStream(line.toByteArray()), 1024),
                frame -> { }, () -> { });
        assertArrayEquals(new byte[] {0, 0, 1}, ((io.cpns.api.message.Ping) ch.receive().body()).data());
    }
}
