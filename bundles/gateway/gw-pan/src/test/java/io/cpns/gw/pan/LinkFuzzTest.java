package io.cpns.gw.pan;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cpns.api.CpnsException;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.codec.FrameReader;
import io.cpns.testkit.PeerInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing (Jazzer) of a PNE link without PSK-TLS (docs/security.md §10.7): the
 * frames a device on the LAN sends reach the whole PAN side, not only the decoder (claimed
 * identities, the handshake, tunnels, requests). No frame may make the link throw, and whatever the
 * PN GW answers must be an envelope whose error detail is ours ({@link PeerInput#checkDetail}).
 * Each input is a stream of length-prefixed frames on a fresh link. Seeds: {@code LinkFuzzTestInputs/plainLink/}.
 */
class LinkFuzzTest {
    private static final GwFixture F = new GwFixture();

    @FuzzTest
    void plainLink(byte[] stream) throws IOException {
        GwFixture.Pne pne = F.plain("pne-fuzz");
        try {
            FrameReader frames = new FrameReader(new ByteArrayInputStream(stream), 65536);
            byte[] frame;
            while ((frame = next(frames)) != null) {
                pne.connection.receiver().frame(frame); // must not throw, whatever the frame
                byte[] answer;
                while ((answer = pne.connection.sent.poll()) != null) {
                    Envelope e = F.codec.decode(answer);
                    if (e.body() instanceof ErrorMessage err) { // the detail as it went on the wire
                        PeerInput.checkDetail(new CpnsException(err.errorCode(), err.detail()));
                    }
                }
            }
        } finally {
            pne.connection.close();
        }
    }

    private static byte[] next(FrameReader frames) throws IOException {
        try {
            return frames.read();
        } catch (CpnsException cut) { // the stream's end cut a frame short: no more frames
            return null;
        }
    }
}
