package io.cpns.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.MessageType;
import io.cpns.testkit.PeerInput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of everything cpns-codec reads from a peer: the envelope and
 * every message body, stream framing and serial framing (docs/security.md §10.7). Each input must
 * decode or be refused with our {@link CpnsException} ({@link PeerInput}); what decodes must encode
 * again, since a PN GW relays what it reads. In {@code mvn verify} each method runs once per file
 * under {@code CodecFuzzTestInputs/<method>/} (the seeds, one valid message of each type, and every
 * finding); {@code -Pfuzz} fuzzes one method for real (docs/benchmarks.md).
 */
class CodecFuzzTest {
    static final MessageCodec CODEC = new MessageCodec();
    private static final CBORMapper CBOR = new CBORMapper();
    /** The smallest frame limit a link can have ({@link Framing#clamp}): the fuzzer reaches it. */
    static final int MAX_FRAME = 256;

    /** A whole envelope as one frame carries it. */
    @FuzzTest
    void envelope(byte[] data) {
        decodeAndReencode(data);
    }

    /**
     * One message type's body: {@code <wire name> 0x00 <CBOR body map>}, put in an envelope from a
     * PNE to the PN GW, so each type's fields get the fuzzer's attention.
     */
    @FuzzTest
    void body(byte[] data) {
        int nul = indexOf(data, (byte) 0);
        if (nul < 0) {
            return;
        }
        MessageType type;
        try {
            type = MessageType.of(new String(data, 0, nul, StandardCharsets.US_ASCII));
        } catch (CpnsException unknown) {
            return; // the envelope fuzzer covers unknown names
        }
        decodeAndReencode(envelopeOf(type, Arrays.copyOfRange(data, nul + 1, data.length)));
    }

    /** A TCP/TLS byte stream: length-prefixed frames, each decoded, until the stream ends or is refused. */
    @FuzzTest
    void frames(byte[] data) {
        PeerInput.decode(data.length, () -> {
            FrameReader reader = new FrameReader(new ByteArrayInputStream(data), MAX_FRAME);
            byte[] frame;
            while ((frame = reader.read()) != null) {
                if (frame.length > MAX_FRAME) {
                    throw new AssertionError("frame of " + frame.length + " bytes over the limit " + MAX_FRAME);
                }
                decodeAndReencode(frame);
            }
            return null;
        });
    }

    /** A serial line: COBS frames with CRC-32C; damaged ones are dropped, the rest decoded. */
    @FuzzTest
    void serialLine(byte[] data) {
        PeerInput.decode(data.length, () -> {
            SerialFrameReader reader = new SerialFrameReader(new ByteArrayInputStream(data), MAX_FRAME);
            byte[] payload;
            while ((payload = reader.read()) != null) {
                if (payload.length > MAX_FRAME) {
                    throw new AssertionError("serial payload of " + payload.length + " bytes over the limit " + MAX_FRAME);
                }
                if (!SerialFraming.isReset(payload)) {
                    decodeAndReencode(payload);
                }
            }
            return null;
        });
    }

    /** One serial frame without its delimiter, straight into the COBS and CRC check; and any payload round-trips. */
    @FuzzTest
    void serialFrame(byte[] data) {
        byte[] payload = PeerInput.decode(data.length, () -> SerialFraming.decode(data, data.length));
        if (payload != null) {
            byte[] again = SerialFraming.decode(SerialFraming.encode(payload), SerialFraming.encode(payload).length - 1);
            assertArrayEquals(payload, again, "a decoded serial payload does not survive encoding");
        }
        byte[] framed = SerialFraming.encode(data);
        assertEquals(framed.length - 1, indexOf(framed, (byte) 0), "COBS left a zero byte inside a frame");
        assertArrayEquals(data, SerialFraming.decode(framed, framed.length - 1), "serial framing does not round-trip");
    }

    /** The property of every envelope decoder: typed refusal, or a value that encodes to a stable form. */
    static Envelope decodeAndReencode(byte[] bytes) {
        Envelope e = PeerInput.decode(bytes.length, () -> CODEC.decode(bytes));
        if (e != null) {
            byte[] encoded = CODEC.encode(e); // a relay re-encodes what it read: it must not fail
            try { // and says the same again (maps may come out in another order: CBOR maps have none)
                assertEquals(CBOR.readTree(encoded), CBOR.readTree(CODEC.encode(CODEC.decode(encoded))), "re-encoding " + e.type());
            } catch (IOException x) {
                throw new AssertionError("our own encoding of " + e.type() + " does not parse", x);
            }
        }
        return e;
    }

    /** {@code [1, type, "pne-fuzz", "gw-fuzz", 7, body]}, the body as given. */
    static byte[] envelopeOf(MessageType type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 40);
        out.write(0x86); // array(6)
        out.write(MessageCodec.VERSION);
        text(out, type.wireName());
        text(out, "pne-fuzz");
        text(out, "gw-fuzz");
        out.write(7);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void text(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 24) {
            out.write(0x60 + b.length);
        } else {
            out.write(0x78);
            out.write(b.length);
        }
        out.writeBytes(b);
    }

    static int indexOf(byte[] data, byte b) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
