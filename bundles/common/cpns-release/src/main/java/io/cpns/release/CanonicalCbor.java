package io.cpns.release;

import io.cpns.api.update.UpdateFailure;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The subset of CBOR the release formats use, in RFC 8949 §4.2.1 core deterministic encoding only:
 * unsigned integers, byte strings, text strings, arrays and maps with text keys, every argument in
 * its shortest form, every length definite, map keys sorted bytewise by their encoding. Hand-written
 * because the signature covers exact bytes: a general CBOR parser (Jackson) accepts many encodings of
 * one value and does not tell which one it read, so it cannot refuse a non-canonical one.
 */
final class CanonicalCbor {
    static final int UNSIGNED = 0;
    static final int BYTES = 2;
    static final int TEXT = 3;
    static final int ARRAY = 4;
    static final int MAP = 5;

    private CanonicalCbor() {
    }

    /** Writes one value; maps through {@link MapWriter}, which sorts their keys. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        Writer head(int major, long argument) {
            if (argument < 0) {
                throw new IllegalArgumentException("negative CBOR argument " + argument);
            }
            int m = major << 5;
            if (argument < 24) {
                out.write(m | (int) argument);
            } else if (argument <= 0xFF) {
                out.write(m | 24);
                out.write((int) argument);
            } else if (argument <= 0xFFFF) {
                out.write(m | 25);
                writeBigEndian(argument, 2);
            } else if (argument <= 0xFFFF_FFFFL) {
                out.write(m | 26);
                writeBigEndian(argument, 4);
            } else {
                out.write(m | 27);
                writeBigEndian(argument, 8);
            }
            return this;
        }

        private void writeBigEndian(long v, int n) {
            for (int i = n - 1; i >= 0; i--) {
                out.write((int) (v >>> (8 * i)));
            }
        }

        Writer uint(long v) {
            return head(UNSIGNED, v);
        }

        Writer bytes(byte[] b) {
            return bytes(BYTES, b);
        }

        Writer text(String s) {
            return bytes(TEXT, s.getBytes(StandardCharsets.UTF_8));
        }

        private Writer bytes(int major, byte[] b) {
            head(major, b.length);
            out.writeBytes(b);
            return this;
        }

        Writer raw(byte[] encoded) {
            out.writeBytes(encoded);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** A map whose entries are written sorted bytewise by their encoded keys (RFC 8949 §4.2.1). */
    static final class MapWriter {
        private record Entry(byte[] key, byte[] value) {
        }

        private final List<Entry> entries = new ArrayList<>();

        MapWriter put(String key, Writer value) {
            entries.add(new Entry(new Writer().text(key).toByteArray(), value.toByteArray()));
            return this;
        }

        MapWriter uint(String key, long v) {
            return put(key, new Writer().uint(v));
        }

        MapWriter text(String key, String v) {
            return put(key, new Writer().text(v));
        }

        MapWriter bytes(String key, byte[] v) {
            return put(key, new Writer().bytes(v));
        }

        Writer toWriter() {
            entries.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
            Writer w = new Writer().head(MAP, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0 && Arrays.equals(entries.get(i - 1).key, entries.get(i).key)) {
                    throw new IllegalStateException("duplicate map key");
                }
                w.raw(entries.get(i).key).raw(entries.get(i).value);
            }
            return w;
        }
    }

    /**
     * Reads one canonical value, refusing anything else with {@link UpdateFailure#MALFORMED} and a
     * short reason of ours. Every length is checked against the bytes left before anything is
     * allocated, so a length field cannot make it reserve more than the input's size.
     */
    static final class Reader {
        private final byte[] in;
        private final String what;
        private int pos;

        Reader(byte[] in, String what) {
            this.in = in;
            this.what = what;
        }

        ReleaseRefusedException malformed(String reason) {
            return new ReleaseRefusedException(UpdateFailure.MALFORMED, what + ": " + reason);
        }

        /** The argument of a head of the expected major type, checked to be in its shortest form. */
        long head(int expectedMajor, String field) throws ReleaseRefusedException {
            if (pos >= in.length) {
                throw malformed("ends inside " + field);
            }
            int initial = in[pos++] & 0xFF;
            int major = initial >>> 5;
            int info = initial & 0x1F;
            if (major != expectedMajor) {
                throw malformed(field + " is " + typeName(major, info) + ", not " + typeName(expectedMajor, 0));
            }
            if (info < 24) {
                return info;
            }
            if (info == 31) {
                throw malformed(field + " has an indefinite length (not canonical)");
            }
            if (info > 27) {
                throw malformed(field + " has a reserved head");
            }
            int n = 1 << (info - 24);
            if (in.length - pos < n) {
                throw malformed("ends inside " + field);
            }
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (in[pos++] & 0xFF);
            }
            if (n == 8 && v < 0) {
                throw malformed(field + " is too large");
            }
            long smallest = n == 1 ? 24 : 1L << (8 * (n / 2));
            if (v < smallest) {
                throw malformed(field + " is not in its shortest form (not canonical)");
            }
            return v;
        }

        long uint(String field) throws ReleaseRefusedException {
            return head(UNSIGNED, field);
        }

        byte[] bytes(String field, int maxLength) throws ReleaseRefusedException {
            return content(BYTES, field, maxLength);
        }

        String text(String field, int maxLength) throws ReleaseRefusedException {
            byte[] utf8 = content(TEXT, field, maxLength);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
            } catch (CharacterCodingException e) {
                throw malformed(field + " is not valid UTF-8");
            }
        }

        private byte[] content(int major, String field, int maxLength) throws ReleaseRefusedException {
            long n = head(major, field);
            if (n > maxLength) {
                throw malformed(field + " is longer than " + maxLength + " bytes");
            }
            if (n > in.length - pos) {
                throw malformed("ends inside " + field);
            }
            byte[] b = Arrays.copyOfRange(in, pos, pos + (int) n);
            pos += (int) n;
            return b;
        }

        /** An array header; {@code maxItems} is checked before any item is read. */
        int array(String field, int maxItems) throws ReleaseRefusedException {
            long n = head(ARRAY, field);
            if (n > maxItems) {
                throw malformed(field + " has more than " + maxItems + " items");
            }
            if (n > in.length - pos) { // each item takes one byte at least
                throw malformed("ends inside " + field);
            }
            return (int) n;
        }

        /**
         * A map whose keys must be exactly {@code keys}, all of them, in canonical order: the formats
         * have no optional keys, so their canonical encoding has one key order and anything else is
         * refused with the first difference. Leaves the reader at the first key's value; call
         * {@link #key} before each following value.
         */
        MapKeys map(String field, String... keys) throws ReleaseRefusedException {
            long n = head(MAP, field);
            return new MapKeys(this, field, canonicalOrder(keys), n);
        }

        void end() throws ReleaseRefusedException {
            if (pos != in.length) {
                throw malformed((in.length - pos) + " bytes after the end");
            }
        }
    }

    /** Steps through the keys of one map in the order the canonical encoding has them. */
    static final class MapKeys {
        private final Reader r;
        private final String field;
        private final List<String> expected;
        private final long count;
        private int next;

        private MapKeys(Reader r, String field, List<String> expected, long count) {
            this.r = r;
            this.field = field;
            this.expected = expected;
            this.count = count;
        }

        /** Reads the next key; it must be {@code key} (callers ask for them in {@link #order()}). */
        void key(String key) throws ReleaseRefusedException {
            if (!key.equals(expected.get(next))) {
                throw new IllegalStateException("keys asked out of canonical order: " + key);
            }
            if (next >= count) {
                throw r.malformed(field + " lacks key '" + key + "'");
            }
            String got = r.text(field + " key", 64);
            if (!got.equals(key)) {
                if (!expected.contains(got)) {
                    throw r.malformed(field + " has unknown key " + quote(got));
                }
                int at = expected.indexOf(got);
                throw r.malformed(at < next ? field + " has key '" + got + "' twice or out of canonical order"
                        : field + " lacks key '" + key + "' or has its keys out of canonical order");
            }
            next++;
        }

        /** After the last value: no more entries. */
        void done() throws ReleaseRefusedException {
            if (count > expected.size()) {
                String got = r.text(field + " key", 64);
                throw r.malformed(expected.contains(got) ? field + " has key '" + got + "' twice"
                        : field + " has unknown key " + quote(got));
            }
        }

        List<String> order() {
            return expected;
        }
    }

    /** {@code keys} sorted as canonical CBOR orders them: by their encoding, i.e. shorter first, then bytewise. */
    static List<String> canonicalOrder(String... keys) {
        List<String> l = new ArrayList<>(List.of(keys));
        l.sort((a, b) -> Arrays.compareUnsigned(new Writer().text(a).toByteArray(), new Writer().text(b).toByteArray()));
        return List.copyOf(l);
    }

    /** A peer's string in a detail: quoted, printable ASCII only, cut to 40 characters. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F && c != '\'' ? c : '?');
        }
        return b.append(s.length() > 40 ? "...'" : "'").toString();
    }

    private static String typeName(int major, int info) {
        return switch (major) {
            case UNSIGNED -> "an unsigned integer";
            case 1 -> "a negative integer";
            case BYTES -> "a byte string";
            case TEXT -> "a text string";
            case ARRAY -> "an array";
            case MAP -> "a map";
            case 6 -> "a tagged value";
            default -> info >= 25 && info <= 27 ? "a float" : "a simple value";
        };
    }
}
