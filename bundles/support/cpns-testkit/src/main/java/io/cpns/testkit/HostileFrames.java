package io.cpns.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Malformed CPNS frames (docs/protocol.md §2) a hostile peer sends, from the issue 10 campaign and
 * the decoder's error paths: broken CBOR, wrong field types, missing fields, lone UTF-16
 * surrogates. And {@link #leak}: whether an error detail shows more than our own short reason.
 */
public final class HostileFrames {
    /** Text of a library or of our classes that must never reach a peer. */
    private static final List<String> LEAKS = List.of("[Source:", "Source: (", "io.cpns.", "java.", "com.fasterxml", "jackson",
            "Jackson", "JsonToken", "Cannot deserialize", "Cannot coerce", "Cannot construct", "Cannot map", "Unexpected",
            "token", "`", "START_", "END_", "VALUE_", "Exception");

    private HostileFrames() {
    }

    /** Name -> frame body (no length prefix); every one of them is refused by the decoder. */
    public static Map<String, byte[]> all() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("lone break", hex("ff"));
        m.put("break in a definite array", hex("8601ff"));
        m.put("indefinite array cut by a break", hex("9f016470696e67ff"));
        m.put("plain text", "definitely not CBOR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        m.put("reserved additional info", hex("1c"));
        m.put("text longer than the frame", hex("86017a7fffffff6162"));
        m.put("invalid UTF-8 in the type", hex("860163fffefd"));
        m.put("text version", hex("8661316470696e6765706e652d616767772d686f6d6501bfff"));
        m.put("text where an integer is required", hex(
                "86016970726f74656374656465706e652d616767772d686f6d6501bf626374410063736571636f6e65ff"));
        m.put("float where an integer is required", hex("86016970726f74656374656465706e652d616767772d686f6d6501bf62637450"
                + "0000000000000000000000000000000063736571fb3ff8000000000000ff"));
        m.put("enum as a number", hex("86016b656e746974792e696e666f65706e652d616767772d686f6d6501bf68656e7469747949646467772d31"
                + "646b696e64016675736572496465616c696365ff"));
        m.put("unknown enum name", hex("86016b656e746974792e696e666f65706e652d616767772d686f6d6501bf68656e746974794964646777"
                + "2d31646b696e6465424f4755536675736572496465616c696365ff"));
        m.put("text where bytes are required", hex("86016a736573732e70726f6f6665706e652d616767772d686f6d6501bf6570726f6f66"
                + "6441414141ff"));
        m.put("missing required field", hex("86016a736573732e70726f6f6665706e652d616767772d686f6d6501bfff"));
        m.put("integer where text is required", hex("86016f656e746974792e696e666f2e72657165706e652d616767772d686f6d6501bf68"
                + "656e746974794964187bff"));
        m.put("body is an array", hex("86016f656e746974792e696e666f2e72657165706e652d616767772d686f6d65018101"));
        m.put("map where text is required", hex("86016f656e746974792e696e666f2e72657165706e652d616767772d686f6d6501bf6865"
                + "6e746974794964bf617801ffff"));
        m.put("array where bytes are required", hex("86016470696e6765706e652d616767772d686f6d6501bf6464617461820102ff"));
        // ED A0 80 is U+D800 written as if it were a character: a lone surrogate once decoded
        m.put("lone surrogate in the type", hex("860164eda08057" + "65706e652d616767772d686f6d6501bfff"));
        m.put("lone surrogate in the source", hex("86016470696e676670eda0805761" + "67" + "67772d686f6d6501bfff"));
        m.put("nesting beyond the limit", nested(100));
        return m;
    }

    /** What in {@code detail} is not our own words, if anything. */
    public static Optional<String> leak(String detail) {
        return LEAKS.stream().filter(detail::contains).findFirst();
    }

    private static byte[] nested(int depth) {
        byte[] head = hex("86016470696e6765706e652d616767772d686f6d6501a16178"); // a ping with {"x": [[[...]]]}: ignored, but parsed
        byte[] b = new byte[head.length + depth + 1];
        System.arraycopy(head, 0, b, 0, head.length);
        for (int i = 0; i < depth; i++) {
            b[head.length + i] = (byte) 0x81; // array of one
        }
        b[b.length - 1] = 0x00;
        return b;
    }

    public static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
