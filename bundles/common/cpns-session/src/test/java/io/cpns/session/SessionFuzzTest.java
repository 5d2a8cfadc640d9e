package io.cpns.session;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Protected;
import io.cpns.api.message.SessionHello;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Direction;
import io.cpns.crypto.Suites;
import io.cpns.testkit.PeerInput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing (Jazzer) of the secure session as a peer reaches it (docs/security.md
 * §10.7): the handshake from either side, a protected message from anyone, and whatever an
 * authenticated peer puts inside one. Keys are fixed, so a finding replays in any JVM; the seeds
 * are in {@code SessionFuzzTestInputs/<method>/}.
 */
class SessionFuzzTest {
    static final CryptoSuite SUITE = Suites.modern();
    static final EntityId GW = EntityId.of("gw-fuzz");
    static final EntityId PNE = EntityId.of("pne-fuzz");
    static final byte[] PSK = fixed(32, 3);
    static final byte[] SK = fixed(32, 4);
    static final long ID = 7;
    private static final MessageCodec CODEC = new MessageCodec();

    /** The initiator's frames (length-prefixed) to a responder: a hello first, then its proof. */
    @FuzzTest
    void responder(byte[] stream) {
        PeerInput.decode(stream.length, () -> {
            MessageChannel ch = channel(stream);
            try {
                Envelope hello = ch.receive();
                if (hello == null || !(hello.body() instanceof SessionHello)) {
                    return null; // the PAN side routes anything else elsewhere
                }
                return ChannelHandshake.respond(ch, hello, GW, PSK);
            } catch (IOException ended) { // the stream ran out: the transport's end, not a decoder's
                return null;
            }
        });
    }

    /** The responder's frames (a challenge, then its confirmation) to an initiator that sent its hello. */
    @FuzzTest
    void initiator(byte[] stream) {
        PeerInput.decode(stream.length, () -> {
            try {
                return ChannelHandshake.initiate(channel(stream), SUITE, PNE, GW, PSK);
            } catch (IOException ended) {
                return null;
            }
        });
    }

    /** An envelope from anyone on a link with a session: it must authenticate before anything is believed. */
    @FuzzTest
    void outer(byte[] data) {
        Envelope outer = PeerInput.decode(data.length, () -> CODEC.decode(data));
        if (outer != null) {
            PeerInput.decode(data.length, () -> gatewaySide().unprotect(outer, CODEC));
        }
    }

    /** What the authenticated PNE seals: the inner envelope's bytes, opened and decoded by the PN GW. */
    @FuzzTest
    void inner(byte[] plaintext) {
        Envelope outer = sealedByPne(plaintext);
        PeerInput.decode(plaintext.length, () -> gatewaySide().unprotect(outer, CODEC));
    }

    /** The PN GW's end of an established session with the PNE (the PNE initiated). */
    static SecureSession gatewaySide() {
        return new SecureSession(SUITE, GW, PNE, false, SK);
    }

    /** {@code plaintext} protected as the PNE's first message of the session, envelope id {@link #ID}. */
    static Envelope sealedByPne(byte[] plaintext) {
        try (AeadCipher c = SUITE.aead(SUITE.trafficKey(SK, Direction.INITIATOR_TO_RESPONDER))) {
            byte[] ct = c.seal(AeadCipher.nonce(Direction.INITIATOR_TO_RESPONDER, 1), SecureSession.aad(PNE, GW, ID, 1), plaintext);
            return new Envelope(PNE, GW, ID, new Protected(1, ct));
        }
    }

    private static MessageChannel channel(byte[] in) {
        return new MessageChannel(CODEC, new ByteArrayInputStream(in), new ByteArrayOutputStream(), 4096, () -> { });
    }

    static byte[] fixed(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }
}
