package io.cpns.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.io.IOException;

/**
 * Text must be valid UTF-8 (RFC 8949 §3.1). Jackson's CBOR parser decodes invalid sequences into
 * lone UTF-16 surrogates, which no encoder takes back: a PN GW would accept a message it then
 * fails to forward, and echo the text into an error it cannot send. Refused here instead.
 */
final class StrictText extends StdScalarDeserializer<String> {
    private static final long serialVersionUID = 1L;

    /** The same check for map keys (capabilities, attributes). */
    static final KeyDeserializer KEYS = new KeyDeserializer() {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) {
            return check(key);
        }
    };

    StrictText() {
        super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
        return check(StringDeserializer.instance.deserialize(p, ctx)); // its coercion rules, then ours
    }

    /** @return {@code s} if it is well-formed UTF-16 (what valid UTF-8 decodes to) */
    static String check(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new CpnsException(ErrorCode.MALFORMED, "text is not valid UTF-8");
            }
        }
        return s;
    }
}
