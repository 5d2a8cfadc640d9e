package io.cpns.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.*;
import io.cpns.testkit.HostileFrames;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
    private final MessageCodec codec = new MessageCodec();
    private final CBORMapper raw = new CBORMapper();
    private static final EntityId GW = EntityId.of("gw-1");
    private static final EntityId SRV = EntityId.of("cpns-server");

    private CpnsException decodeFails(Object cborValue) throws Exception {
        byte[] bytes = raw.writeValueAsBytes(cborValue);
        return assertThrows(CpnsException.class, () -> codec.decode(bytes));
    }

    @Test
    void everyMessageType_hasASample() {
        assertEquals(Arrays.asList(MessageType.values()), List.copyOf(Samples.ALL.keySet()));
    }

    @Test
    void everyMessageType_roundTrips() throws Exception {
        for (Message m : Samples.ALL.values()) {
            Envelope in = new Envelope(GW, SRV, 42, m);
            byte[] bytes = codec.encode(in);
            Envelope out = codec.decode(bytes);
            assertArrayEquals(bytes, codec.encode(out), m.type() + " does not re-encode to the same bytes");
            assertEquals(in.src(), out.src());
            assertEquals(in.dst(), out.dst());
            assertEquals(42, out.id());
            assertEquals(m.getClass(), out.body().getClass());
            for (RecordComponent c : m.getClass().getRecordComponents()) {
                Object a = c.getAccessor().invoke(m);
                Object b = c.getAccessor().invoke(out.body());
                if (a instanceof byte[] x) {
                    assertArrayEquals(x, (byte[]) b, m.type() + "." + c.getName());
                } else if (a instanceof Record || a instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Record) {
                    // byte[] inside: their contents are covered by the re-encoding check above
                    assertEquals(a.toString().replaceAll("\\[B@[0-9a-f]+", "bytes"),
                            b.toString().replaceAll("\\[B@[0-9a-f]+", "bytes"), m.type() + "." + c.getName());
                } else {
                    assertEquals(a, b, m.type() + "." + c.getName());
                }
            }
        }
    }

    @Test
    void envelope_isTheDocumentedArray() throws Exception {
        byte[] bytes = codec.encode(new Envelope(GW, SRV, 9, new Ping(new byte[] {5})));
        List<?> arr = raw.readValue(bytes, List.class);
        assertEquals(6, arr.size());
        assertEquals(1, arr.get(0));
        assertEquals("ping", arr.get(1));
        assertEquals("gw-1", arr.get(2));
        assertEquals("cpns-server", arr.get(3));
        assertEquals(9, arr.get(4));
        assertArrayEquals(new byte[] {5}, (byte[]) ((Map<?, ?>) arr.get(5)).get("data"));
        // CBOR: array(6) = 0x86, then unsigned 1 = 0x01, then text(4) "ping" = 0x64...
        assertEquals((byte) 0x86, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals((byte) 0x64, bytes[2]);
    }

    @Test
    void byteFields_areCborByteStrings() throws Exception {
        byte[] bytes = codec.encode(new Envelope(GW, SRV, 1, new Ping(new byte[] {1, 2, 3})));
        // ... "data" (text 4) followed by a byte string of length 3 (major type 2: 0x43)
        int i = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("data");
        assertEquals((byte) 0x43, bytes[i + 4]);
    }

    @Test
    void otherVersion_isUnsupportedVersion() throws Exception {
        assertEquals(ErrorCode.UNSUPPORTED_VERSION,
                decodeFails(List.of(2, "ping", "a", "b", 1, Map.of())).code());
    }

    @Test
    void unknownType_isUnknownType() throws Exception {
        assertEquals(ErrorCode.UNKNOWN_TYPE, decodeFails(List.of(1, "teleport", "a", "b", 1, Map.of())).code());
    }

    @Test
    void notAnArray_missingParts_trailingData_areMalformed() throws Exception {
        assertEquals(ErrorCode.MALFORMED, decodeFails(Map.of("v", 1)).code());
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "ping", "a")).code());
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "ping", "a", "b", 1, Map.of(), 7)).code());
        byte[] ok = codec.encode(new Envelope(GW, SRV, 1, new Ping(null)));
        byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
        assertEquals(ErrorCode.MALFORMED, assertThrows(CpnsException.class, () -> codec.decode(trailing)).code());
    }

    @Test
    void missingRequiredField_isMalformed() throws Exception {
        CpnsException e = decodeFails(List.of(1, "sess.proof", "a", "b", 1, Map.of()));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertTrue(e.getMessage().contains("proof"), e.getMessage());
    }

    /** {@code group.msg}: sealed, or (a PN GW's exemption form, TS 5.3.3.2) in the clear; never both, never neither. */
    @Test
    void groupMsg_ciphertextOrPlaintext_exactlyOne() throws Exception {
        GroupMsg clear = new GroupMsg("sg-1", "pne-tv", 3, 77, null, new byte[] {7});
        Envelope back = codec.decode(codec.encode(new Envelope(GW, SRV, 5, clear)));
        assertArrayEquals(new byte[] {7}, ((GroupMsg) back.body()).plaintext());
        assertFalse(((GroupMsg) back.body()).sealed());
        Map<String, Object> both = Map.of("groupId", "sg-1", "sender", "pne-tv", "epoch", 3, "counter", 77, "ciphertext", new byte[1],
                "plaintext", new byte[1]);
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "group.msg", "a", "b", 1, both)).code());
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "group.msg", "a", "b", 1,
                Map.of("groupId", "sg-1", "sender", "pne-tv", "epoch", 3, "counter", 77))).code());
    }

    @Test
    void wrongFieldType_isMalformed() throws Exception {
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "protected", "a", "b", 1, Map.of("seq", "one", "ct", new byte[1]))).code());
        // text where a byte string is required: no base64 coercion
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "sess.proof", "a", "b", 1, Map.of("proof", "AAAA"))).code());
    }

    @Test
    void numbersOrBooleansForText_enumOrdinals_floatsForIntegers_negativeIds_areMalformed() throws Exception {
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "entity.info.req", "a", "b", 1, Map.of("entityId", 123))).code());
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "entity.info.req", "a", "b", 1, Map.of("entityId", true))).code());
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "entity.info", "a", "b", 1,
                Map.of("entityId", "gw-1", "kind", 1, "userId", "alice"))).code());
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "protected", "a", "b", 1, Map.of("seq", 1.5, "ct", new byte[16]))).code());
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "ping", "a", "b", -1, Map.of())).code());
    }

    @Test
    void invalidEntityId_isMalformed() throws Exception {
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "ping", "bad id\n", "b", 1, Map.of())).code());
    }

    /**
     * CBOR text must be valid UTF-8. Jackson decodes invalid sequences into lone surrogates, which
     * no encoder takes back: a PN GW accepted a {@code disc.query} it could not answer and would
     * forward capabilities it could not encode (found by {@code CodecFuzzTest.body}).
     */
    @Test
    void textThatIsNotValidUtf8_isMalformed_inTheHeader_aField_aListAndAMapKey() throws Exception {
        byte[] header = raw.writeValueAsBytes(List.of(1, "ping", "pne-a", "gw-1", 1, Map.of()));
        byte[] badSrc = withLoneSurrogate(header, "pne-a");
        CpnsException src = assertThrows(CpnsException.class, () -> codec.decode(badSrc));
        assertTrue(src.getMessage().matches("malformed message: (the src )?text is not valid UTF-8"), src.getMessage() + " / " + src.getCause());
        for (Message m : List.of(new EntityInfoRequest("pne-a"), new GroupNotify("sg-1", 3, List.of("pne-a"), false),
                new DiscoveryQuery(EntityKind.PNE, Map.of("pne-a", "tv")))) {
            byte[] bytes = withLoneSurrogate(codec.encode(new Envelope(GW, SRV, 1, m)), "pne-a");
            CpnsException e = assertThrows(CpnsException.class, () -> codec.decode(bytes), m.type().wireName());
            assertEquals(ErrorCode.MALFORMED, e.code());
            assertEquals("malformed message: text is not valid UTF-8", e.getMessage(), String.valueOf(e.getCause()));
        }
    }

    /** {@code marker}'s first three bytes replaced by ED A0 80: U+D800 as if it were a character, which UTF-8 forbids. */
    private static byte[] withLoneSurrogate(byte[] bytes, String marker) {
        int i = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf(marker);
        byte[] b = bytes.clone();
        b[i] = (byte) 0xED;
        b[i + 1] = (byte) 0xA0;
        b[i + 2] = (byte) 0x80;
        return b;
    }

    @Test
    void unknownBodyFields_areIgnored_forNewerPeers() throws Exception {
        Envelope e = codec.decode(raw.writeValueAsBytes(List.of(1, "ping", "a", "b", 1, Map.of("data", new byte[] {1}, "future", 5))));
        assertArrayEquals(new byte[] {1}, ((Ping) e.body()).data());
    }

    @Test
    void deepNesting_isMalformed_notAStackOverflow() throws Exception {
        Object deep = List.of();
        for (int i = 0; i < 100; i++) {
            deep = List.of(deep);
        }
        assertEquals(ErrorCode.MALFORMED, decodeFails(List.of(1, "entity.list", "a", "b", 1, Map.of("entities", deep))).code());
    }

    @Test
    void garbage_truncation_and_bitFlips_onlyEverRaiseCpnsException() {
        Random rnd = new Random(1234);
        byte[] valid = codec.encode(new Envelope(GW, SRV, 77,
                Samples.ALL.get(MessageType.ENTITY_LIST)));
        for (int i = 0; i < 20_000; i++) {
            byte[] b;
            switch (i % 3) {
                case 0 -> {
                    b = new byte[1 + rnd.nextInt(64)];
                    rnd.nextBytes(b);
                }
                case 1 -> b = Arrays.copyOf(valid, rnd.nextInt(valid.length));
                default -> {
                    b = valid.clone();
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            try {
                codec.decode(b);
            } catch (CpnsException expected) {
                // typed: fine
            } catch (RuntimeException other) {
                fail("untyped " + other + " for input " + Arrays.toString(b));
            }
        }
    }

    /** Issue 10: the peer gets our own short reason; Jackson's text and our class names stay home. */
    @Test
    void malformedInput_getsOurOwnShortReason_neverTheLibrarysText() {
        for (Map.Entry<String, byte[]> in : HostileFrames.all().entrySet()) {
            CpnsException e = assertThrows(CpnsException.class, () -> codec.decode(in.getValue()), in.getKey());
            HostileFrames.leak(e.getMessage()).ifPresent(leak -> fail(in.getKey() + ": '" + leak + "' reaches the peer in: " + e.getMessage()));
            // and the error itself goes on the wire
            codec.encode(new Envelope(GW, SRV, 0, ErrorMessage.of(e)));
        }
    }

    @Test
    void malformedInput_reasonsSayWhatIsWrong() {
        Map<String, byte[]> in = HostileFrames.all();
        assertEquals("malformed message: malformed CBOR", message(in.get("lone break")));
        assertEquals("malformed message: field 'seq' is missing or has the wrong type", message(in.get("text where an integer is required")));
        assertEquals("malformed message: field 'kind' has an invalid value", message(in.get("unknown enum name")));
        assertEquals("malformed message: field 'proof' is missing", message(in.get("missing required field")));
        assertEquals("malformed message: expected the body map, found an array", message(in.get("body is an array")));
        assertEquals("malformed message: CBOR nesting or length limit exceeded", message(in.get("nesting beyond the limit")));
    }

    private String message(byte[] frame) {
        return assertThrows(CpnsException.class, () -> codec.decode(frame)).getMessage();
    }
}
