package io.cpns.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Envelope &lt;-&gt; bytes. An envelope is the CBOR array {@code [version, type, src, dst, id, body]};
 * the body is a CBOR map whose keys are the record's component names (docs/protocol.md). Anything
 * else is a {@link CpnsException} with {@code MALFORMED}, {@code UNKNOWN_TYPE} or
 * {@code UNSUPPORTED_VERSION}; no other exception escapes {@link #decode}. Its message is our own
 * short reason ("malformed CBOR", "field 'x' is missing or has the wrong type"), fit for the wire;
 * the library's error, if any, is its cause (for a DEBUG log, never for the peer).
 * Thread-safe; build one and share it.
 */
public final class MessageCodec {
    /** Protocol version written in every envelope. */
    public static final int VERSION = 1;

    private final CBORFactory factory;
    private final Map<MessageType, ObjectReader> readers = new EnumMap<>(MessageType.class);
    private final Map<MessageType, ObjectWriter> writers = new EnumMap<>(MessageType.class);

    public MessageCodec() {
        this(Framing.DEFAULT_MAX_FRAME);
    }

    /** @param maxMessage largest encoded message accepted; bounds every string inside it too */
    public MessageCodec(int maxMessage) {
        factory = CBORFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(16)
                        .maxStringLength(maxMessage)
                        .maxNumberLength(32)
                        .build())
                .build();
        CBORMapper mapper = CBORMapper.builder(factory)
                // strict types (docs/protocol.md §2): no "123" for 123, no 123 for "123", no enum ordinals
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // newer peers may add fields
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .serializationInclusion(JsonInclude.Include.NON_NULL) // an absent optional field is not written
                .addModule(new SimpleModule("cpns-strict").addDeserializer(byte[].class, new StrictBytes())
                        .addDeserializer(String.class, new StrictText()).addKeyDeserializer(String.class, StrictText.KEYS))
                .build();
        for (MessageType t : MessageType.values()) {
            readers.put(t, mapper.readerFor(t.bodyClass()));
            writers.put(t, mapper.writerFor(t.bodyClass()));
        }
    }

    public byte[] encode(Envelope e) {
        MessageType type = e.type();
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (CBORGenerator g = factory.createGenerator(out)) {
            g.writeStartArray(null, 6);
            g.writeNumber(VERSION);
            g.writeString(type.wireName());
            g.writeString(e.src().value());
            g.writeString(e.dst().value());
            g.writeNumber(e.id());
            writers.get(type).writeValue(g, e.body());
            g.writeEndArray();
        } catch (IOException x) {
            throw new IllegalStateException("encoding " + type + " failed", x); // a bug, not bad input
        }
        return out.toByteArray();
    }

    public Envelope decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    public Envelope decode(byte[] bytes, int offset, int length) {
        try (JsonParser p = factory.createParser(bytes, offset, length)) {
            expect(p, JsonToken.START_ARRAY, "an envelope array");
            int version = intField(p, "version");
            if (version != VERSION) {
                throw new CpnsException(ErrorCode.UNSUPPORTED_VERSION,
                        "protocol version " + version + " not supported (this peer speaks " + VERSION + ")");
            }
            MessageType type = MessageType.of(textField(p, "type"));
            EntityId src = entityField(p, "src");
            EntityId dst = entityField(p, "dst");
            expect(p, JsonToken.VALUE_NUMBER_INT, "the id");
            long id = p.getLongValue();
            if (id < 0) {
                throw malformed("negative id");
            }
            expect(p, JsonToken.START_OBJECT, "the body map");
            Message body = readers.get(type).readValue(p);
            expect(p, JsonToken.END_ARRAY, "the end of the envelope");
            if (p.nextToken() != null) {
                throw malformed("trailing data after the envelope");
            }
            return new Envelope(src, dst, id, body);
        } catch (CpnsException e) {
            throw e;
        } catch (StreamConstraintsException e) {
            throw malformed("CBOR nesting or length limit exceeded", e);
        } catch (ValueInstantiationException e) {
            throw malformed(refusedByRecord(e), e);
        } catch (InvalidFormatException e) {
            throw malformed(field(e) + " has an invalid value", e);
        } catch (MismatchedInputException e) {
            throw malformed(field(e) + " is missing or has the wrong type", e);
        } catch (JsonMappingException e) {
            String known = knownReason(e); // our own check inside a deserializer, or the parser's UTF-8 check
            throw malformed(known != null ? known : field(e) + " is invalid", e);
        } catch (JsonParseException e) {
            String known = knownReason(e);
            throw malformed(known != null ? known : "malformed CBOR", e);
        } catch (IOException | RuntimeException e) {
            throw malformed("malformed CBOR", e);
        }
    }

    /**
     * A reason we can name for a library error: our own refusal inside a deserializer
     * ({@link StrictText}), or text that is not valid UTF-8, which Jackson 2.23's CBOR parser finds
     * itself (StrictText stays for map keys and older parsers). Null if neither.
     */
    private static String knownReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CpnsException c) {
                return c.getMessage();
            }
            if (t instanceof JsonParseException p && p.getOriginalMessage() != null && p.getOriginalMessage().startsWith("Invalid UTF-8")) {
                return "text is not valid UTF-8";
            }
        }
        return null;
    }

    /*
     * The peer gets our own short reason only (docs/protocol.md §5): a library's message names our
     * classes, its parser state and the peer's own input back. It stays the cause, for a DEBUG log.
     */

    /** A record constructor refused a field: its reason is ours (record constructors, EntityId). */
    private static String refusedByRecord(ValueInstantiationException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof CpnsException c) {
            return c.getMessage();
        }
        if (root instanceof NullPointerException && root.getMessage() != null && root.getMessage().matches("[A-Za-z]{1,40}")) {
            return "field '" + root.getMessage() + "' is missing"; // Objects.requireNonNull(x, "name") in the record
        }
        if (root instanceof IllegalArgumentException && root.getMessage() != null) {
            return root.getMessage();
        }
        return field(e) + " is invalid";
    }

    /** "field 'a.b[2]'" from the path Jackson was at, or "the body". */
    private static String field(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "the body" : "field '" + Strings.printable(path.toString()) + "'";
    }

    private static void expect(JsonParser p, JsonToken token, String what) throws IOException {
        JsonToken t = p.nextToken();
        if (t != token) {
            throw malformed("expected " + what + ", found " + describe(t));
        }
    }

    private static int intField(JsonParser p, String name) throws IOException {
        expect(p, JsonToken.VALUE_NUMBER_INT, "the " + name);
        return p.getIntValue();
    }

    private static String textField(JsonParser p, String name) throws IOException {
        expect(p, JsonToken.VALUE_STRING, "the " + name + " text");
        try {
            return StrictText.check(p.getText());
        } catch (CpnsException e) {
            throw malformed("the " + name + " text is not valid UTF-8");
        }
    }

    private static EntityId entityField(JsonParser p, String name) throws IOException {
        String s = textField(p, name);
        try {
            return new EntityId(s);
        } catch (CpnsException e) {
            throw malformed(name + ": " + e.getMessage());
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "a map";
            case END_ARRAY, END_OBJECT -> "the end of a container";
            case VALUE_STRING -> "text";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a float";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case VALUE_EMBEDDED_OBJECT -> "bytes";
            default -> "something else";
        };
    }

    private static CpnsException malformed(String why) {
        return new CpnsException(ErrorCode.MALFORMED, "malformed message: " + why);
    }

    private static CpnsException malformed(String why, Throwable libraryError) {
        return new CpnsException(ErrorCode.MALFORMED, "malformed message: " + why, libraryError);
    }
}
