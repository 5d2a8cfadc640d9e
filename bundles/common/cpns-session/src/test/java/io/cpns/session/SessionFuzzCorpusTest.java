package io.cpns.session;

import static io.cpns.session.SessionFuzzTest.GW;
import static io.cpns.session.SessionFuzzTest.ID;
import static io.cpns.session.SessionFuzzTest.PNE;
import static io.cpns.session.SessionFuzzTest.fixed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.Message;
import io.cpns.api.message.PnSetupRequest;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Relay;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionConfirm;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.api.message.SetupType;
import io.cpns.api.message.TunnelData;
import io.cpns.codec.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session fuzzers' seeds: a handshake's frames from each side, a protected message the PN GW
 * accepts, and inner envelopes of the kinds a PNE sends. Run with {@code -Dcpns.fuzz.writeSeeds=true}
 * to (re)write them into src/test/resources.
 */
class SessionFuzzCorpusTest {
    private static final String INPUTS = "SessionFuzzTestInputs/";
    private static final Path SOURCE = Path.of("src/test/resources/io/cpns/session/" + INPUTS);
    private static final MessageCodec CODEC = new MessageCodec();

    @Test
    void seeds_outerAndInner_areAcceptedByTheGateway() throws IOException {
        Map<String, byte[]> seeds = seeds();
        if (Boolean.getBoolean("cpns.fuzz.writeSeeds")) {
            for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
                Path p = SOURCE.resolve(s.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, s.getValue());
            }
            return; // the copies on the class path are the next build's
        }
        for (String name : seeds.keySet()) {
            byte[] seed = seed(name);
            if (name.startsWith("inner/")) {
                Envelope inner = SessionFuzzTest.gatewaySide().unprotect(SessionFuzzTest.sealedByPne(seed), CODEC);
                assertEquals(ID, inner.id(), name);
            } else if (name.startsWith("outer/")) {
                assertEquals(PNE, SessionFuzzTest.gatewaySide().unprotect(CODEC.decode(seed), CODEC).src(), name);
            }
        }
    }

    private byte[] seed(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(INPUTS + name)) {
            assertNotNull(in, "seed " + name + " missing: run this test with -Dcpns.fuzz.writeSeeds=true");
            return in.readAllBytes();
        }
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] rand = fixed(32, 9);
        seeds.put("responder/hello-and-proof", frames(
                new Envelope(PNE, GW, 1, new SessionHello("modern-v1", rand)),
                new Envelope(PNE, GW, 2, new SessionProof(fixed(32, 10)))));
        seeds.put("initiator/challenge-and-confirm", frames(
                new Envelope(GW, PNE, 1, new SessionChallenge("modern-v1", rand)),
                new Envelope(GW, PNE, 2, new SessionConfirm(fixed(32, 11)))));
        seeds.put("initiator/refused", frames(new Envelope(GW, PNE, 1, new ErrorMessage(302, "unsupported suite"))));
        Map<String, Message> inner = new LinkedHashMap<>();
        inner.put("ping", new Ping(new byte[] {1, 2, 3}));
        inner.put("pn.setup.req", new PnSetupRequest(SetupType.INVITE, List.of("pne-2"), Map.of("type", "tv"), List.of("movie-1"),
                rand, true, "modern-v1"));
        inner.put("relay", new Relay("pn-1", fixed(40, 12)));
        inner.put("group.msg", new GroupMsg("sg-1", "pne-fuzz", 3, 77, fixed(20, 13), null));
        inner.put("tunnel.data", new TunnelData(fixed(64, 14)));
        for (Map.Entry<String, Message> m : inner.entrySet()) {
            byte[] plain = CODEC.encode(new Envelope(PNE, GW, ID, m.getValue()));
            seeds.put("inner/" + m.getKey(), plain);
        }
        seeds.put("outer/protected-ping", CODEC.encode(SessionFuzzTest.sealedByPne(seeds.get("inner/ping"))));
        return seeds;
    }

    private static byte[] frames(Envelope... envelopes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Envelope e : envelopes) {
            byte[] f = CODEC.encode(e);
            out.write(f.length >>> 24);
            out.write(f.length >>> 16);
            out.write(f.length >>> 8);
            out.write(f.length);
            out.writeBytes(f);
        }
        return out.toByteArray();
    }
}
