package io.cpns.codec;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32C;

/**
 * Framing for byte-oriented links without their own integrity (serial lines): each frame is
 * {@code COBS(payload | CRC-32C(payload))} followed by one {@code 0x00} delimiter.
 *
 * <ul>
 *   <li>COBS (Consistent Overhead Byte Stuffing, Cheshire &amp; Baker, IEEE/ACM ToN 1999) removes
 *       every zero byte from the frame, so {@code 0x00} only ever marks a frame's end and a
 *       receiver resynchronises at the next delimiter after noise or a lost byte.</li>
 *   <li>CRC-32C (Castagnoli, RFC 3720 §B.4), 4 bytes big-endian, detects corrupted frames, which
 *       are dropped. (Authenticity is the secure session's job; the CRC only detects noise.)</li>
 * </ul>
 * Overhead: 1 byte per 254 of payload, plus 4 (CRC) and 1 (delimiter).
 *
 * <p>A frame with an <em>empty</em> payload ({@link #RESET}, bytes {@code 01 01 01 01 01 00}) is
 * the <b>line reset</b>: a serial line has no connect or disconnect, so an end that opens or
 * closes its side of the link says so with it, and the other end starts a fresh link (no session,
 * no identity). A CPNS envelope is never empty, so the two cannot be confused.
 */
public final class SerialFraming {
    public static final int CRC_LENGTH = 4;
    private static final byte[] RESET = encode(new byte[0]);

    private SerialFraming() {
    }

    /** The encoded line reset frame, delimiter included. */
    public static byte[] reset() {
        return RESET.clone();
    }

    /** Whether a decoded payload is the line reset. */
    public static boolean isReset(byte[] payload) {
        return payload.length == 0;
    }

    /** Encoded frame including the trailing delimiter. */
    public static byte[] encode(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        long c = crc.getValue();
        byte[] raw = new byte[payload.length + CRC_LENGTH];
        System.arraycopy(payload, 0, raw, 0, payload.length);
        raw[payload.length] = (byte) (c >>> 24);
        raw[payload.length + 1] = (byte) (c >>> 16);
        raw[payload.length + 2] = (byte) (c >>> 8);
        raw[payload.length + 3] = (byte) c;
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 254 + 2);
        cobsEncode(raw, out);
        out.write(0);
        return out.toByteArray();
    }

    /**
     * Decodes one frame (without its delimiter) and checks its CRC.
     *
     * @throws CpnsException {@code MALFORMED} for invalid COBS or a CRC mismatch
     */
    public static byte[] decode(byte[] encoded, int length) {
        byte[] raw = cobsDecode(encoded, length);
        if (raw.length < CRC_LENGTH) {
            throw new CpnsException(ErrorCode.MALFORMED, "serial frame too short");
        }
        int n = raw.length - CRC_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, n);
        long expected = ((raw[n] & 0xFFL) << 24) | ((raw[n + 1] & 0xFF) << 16) | ((raw[n + 2] & 0xFF) << 8) | (raw[n + 3] & 0xFF);
        if (crc.getValue() != expected) {
            throw new CpnsException(ErrorCode.MALFORMED, "serial frame CRC mismatch");
        }
        byte[] payload = new byte[n];
        System.arraycopy(raw, 0, payload, 0, n);
        return payload;
    }

    static void cobsEncode(byte[] in, ByteArrayOutputStream out) {
        byte[] block = new byte[255];
        int len = 1; // block[0] is the code byte
        boolean fullBlockEnded = false;
        for (byte b : in) {
            fullBlockEnded = false;
            if (b == 0) {
                block[0] = (byte) len;
                out.write(block, 0, len);
                len = 1;
            } else {
                block[len++] = b;
                if (len == 255) { // 254 non-zero bytes: a full block with no zero after it
                    block[0] = (byte) 0xFF;
                    out.write(block, 0, 255);
                    len = 1;
                    fullBlockEnded = true;
                }
            }
        }
        if (!fullBlockEnded) { // canonical COBS: no empty block after a full one that ends the input
            block[0] = (byte) len;
            out.write(block, 0, len);
        }
    }

    static byte[] cobsDecode(byte[] in, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        int i = 0;
        while (i < length) {
            int code = in[i++] & 0xFF;
            if (code == 0) {
                throw new CpnsException(ErrorCode.MALFORMED, "zero byte inside a COBS frame");
            }
            if (i + code - 1 > length) {
                throw new CpnsException(ErrorCode.MALFORMED, "truncated COBS block");
            }
            out.write(in, i, code - 1);
            i += code - 1;
            if (code < 0xFF && i < length) {
                out.write(0);
            }
        }
        return out.toByteArray();
    }
}
