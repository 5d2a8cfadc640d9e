package io.cpns.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/** Byte helpers every secret-handling class needs: concatenation, constant-time compare, wiping. */
public final class Bytes {
    private Bytes() {
    }

    /** {@code a | b | ...}: the seeds' concatenation, plain bytes with no separators. */
    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    /** Each part preceded by its length as 2 bytes big-endian: unambiguous, for our own transcripts. */
    public static byte[] lengthPrefixed(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            if (p.length > 0xFFFF) {
                throw new IllegalArgumentException("part longer than 65535 bytes");
            }
            n += 2 + p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            out[off++] = (byte) (p.length >>> 8);
            out[off++] = (byte) p.length;
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    /** Compares in time independent of where the arrays differ. */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    public static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }

    public static void wipe(char[] a) {
        if (a != null) {
            Arrays.fill(a, '\0');
        }
    }

    /** A password's UTF-8 bytes, leaving no other copy behind (the caller wipes the result). */
    public static byte[] utf8(char[] password) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = Arrays.copyOfRange(b.array(), b.position(), b.limit());
        Arrays.fill(b.array(), (byte) 0);
        return out;
    }

    public static byte[] longBE(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
