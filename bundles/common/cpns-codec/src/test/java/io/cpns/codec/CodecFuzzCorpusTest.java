package io.cpns.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fuzzers' seeds ({@code CodecFuzzTestInputs/<method>/}) hold one valid message of every
 * {@link MessageType} ({@link Samples}), so a new type is fuzzed from the start. Run with
 * {@code -Dcpns.fuzz.writeSeeds=true} to (re)write the seeds into src/test/resources.
 */
class CodecFuzzCorpusTest {
    private static final String INPUTS = "CodecFuzzTestInputs/";
    private static final Path SOURCE = Path.of("src/test/resources/io/cpns/codec/" + INPUTS);

    @Test
    void everyMessageType_hasAnEnvelopeSeedAndABodySeed_thatDecodeAsTheirType() throws IOException {
        if (Boolean.getBoolean("cpns.fuzz.writeSeeds")) {
            for (Map.Entry<String, byte[]> s : seeds().entrySet()) {
                Path p = SOURCE.resolve(s.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, s.getValue());
            }
            return; // the copies on the class path are the next build's
        }
        for (MessageType t : MessageType.values()) {
            assertEquals(t, CodecFuzzTest.CODEC.decode(seed("envelope/" + t.wireName())).type());
            byte[] body = seed("body/" + t.wireName());
            int nul = CodecFuzzTest.indexOf(body, (byte) 0);
            assertEquals(t.wireName(), new String(body, 0, nul, StandardCharsets.US_ASCII));
            assertEquals(t, CodecFuzzTest.CODEC.decode(CodecFuzzTest.envelopeOf(t, Arrays.copyOfRange(body, nul + 1, body.length))).type());
        }
    }

    private byte[] seed(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(INPUTS + name)) {
            assertTrue(in != null, "seed " + name + " missing: run this test with -Dcpns.fuzz.writeSeeds=true");
            return in.readAllBytes();
        }
    }

    /** Seed file (relative to the inputs directory) to its content. */
    static Map<String, byte[]> seeds() {
        EntityId pne = EntityId.of("pne-fuzz");
        EntityId gw = EntityId.of("gw-fuzz");
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (Message m : Samples.ALL.values()) {
            byte[] envelope = CodecFuzzTest.CODEC.encode(new Envelope(pne, gw, 7, m));
            seeds.put("envelope/" + m.type().wireName(), envelope);
            byte[] header = CodecFuzzTest.envelopeOf(m.type(), new byte[0]);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(m.type().wireName().getBytes(StandardCharsets.US_ASCII));
            body.write(0);
            body.write(envelope, header.length, envelope.length - header.length);
            seeds.put("body/" + m.type().wireName(), body.toByteArray());
        }
        // streams: a few frames back to back, as a PNE's link carries them
        byte[] ping = CodecFuzzTest.CODEC.encode(new Envelope(pne, gw, 7, Samples.ALL.get(MessageType.PING)));
        byte[] setup = CodecFuzzTest.CODEC.encode(new Envelope(pne, gw, 8, Samples.ALL.get(MessageType.PN_SETUP_REQUEST)));
        byte[] error = CodecFuzzTest.CODEC.encode(new Envelope(pne, gw, 9, new ErrorMessage(100, "malformed")));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.writeBytes(SerialFraming.reset());
        for (byte[] f : List.of(ping, setup, error)) {
            stream.write(f.length >>> 24);
            stream.write(f.length >>> 16);
            stream.write(f.length >>> 8);
            stream.write(f.length);
            stream.writeBytes(f);
            line.writeBytes(SerialFraming.encode(f));
        }
        seeds.put("frames/three-frames", stream.toByteArray());
        seeds.put("serialLine/reset-and-three-frames", line.toByteArray());
        byte[] one = SerialFraming.encode(setup);
        seeds.put("serialFrame/pn.setup.req", Arrays.copyOf(one, one.length - 1));
        return seeds;
    }
}
