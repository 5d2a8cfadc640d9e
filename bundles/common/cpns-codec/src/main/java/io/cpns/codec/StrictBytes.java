package io.cpns.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * Byte fields must be CBOR byte strings (major type 2). Jackson would also accept base64 text;
 * the protocol does not, so two peers never disagree about what a field holds.
 */
final class StrictBytes extends StdDeserializer<byte[]> {
    private static final long serialVersionUID = 1L;

    StrictBytes() {
        super(byte[].class);
    }

    @Override
    public byte[] deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT && p.getEmbeddedObject() instanceof byte[] b) {
            return b;
        }
        return (byte[]) ctx.handleUnexpectedToken(byte[].class, p);
    }
}
