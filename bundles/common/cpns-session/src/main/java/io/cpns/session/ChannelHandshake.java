package io.cpns.session;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionConfirm;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.codec.MessageChannel;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Suites;
import java.io.IOException;

/**
 * The mutual authentication of TS §5.3.3.1.1 as four messages on a channel (docs/protocol.md
 * "Secure session"): {@code sess.hello} (rand_I) -&gt; {@code sess.challenge} (rand_R) -&gt;
 * {@code sess.proof} (hash_I) -&gt; {@code sess.confirm} (hash_R). Used wherever two entities talk
 * directly: GW-Server over PSK-TLS, PNE-GW over a PAN without TLS.
 */
public final class ChannelHandshake {
    private ChannelHandshake() {
    }

    /** The initiator's side: returns the session once the responder proved the same PSK. */
    public static SecureSession initiate(MessageChannel ch, CryptoSuite suite, EntityId self, EntityId peer, byte[] psk)
            throws IOException {
        return initiate(ch, new InitiatorHandshake(suite, self, peer, psk), self, peer);
    }

    /**
     * The initiator's side with a PSK a credential module holds: {@code extract} is its
     * HKDF-Extract over the PSK ({@link InitiatorHandshake#InitiatorHandshake(CryptoSuite, EntityId,
     * EntityId, java.util.function.UnaryOperator)}); the same four messages.
     */
    public static SecureSession initiate(MessageChannel ch, CryptoSuite suite, EntityId self, EntityId peer,
                                         java.util.function.UnaryOperator<byte[]> extract) throws IOException {
        return initiate(ch, new InitiatorHandshake(suite, self, peer, extract), self, peer);
    }

    private static SecureSession initiate(MessageChannel ch, InitiatorHandshake h, EntityId self, EntityId peer) throws IOException {
        CryptoSuite suite = h.suite();
        try {
            ch.send(new Envelope(self, peer, 1, new SessionHello(suite.name(), h.rand())));
            SessionChallenge c = expect(ch, SessionChallenge.class);
            if (!c.suite().equals(suite.name())) {
                throw new CpnsException(ErrorCode.UNSUPPORTED_SUITE, "peer answered with suite '" + Strings.printable(c.suite()) + "'");
            }
            ch.send(new Envelope(self, peer, 2, new SessionProof(h.prove(c.rand()))));
            return h.confirm(expect(ch, SessionConfirm.class).proof());
        } finally {
            h.destroy();
        }
    }

    /**
     * The responder's side, after {@code hello} was received and its source accepted by the caller
     * (who knows which identity the transport authenticated).
     *
     * @param psk the PSK shared with {@code hello.src()}; copied
     */
    public static SecureSession respond(MessageChannel ch, Envelope hello, EntityId self, byte[] psk) throws IOException {
        SessionHello h = (SessionHello) hello.body();
        ResponderHandshake r = new ResponderHandshake(Suites.byName(h.suite()), self, hello.src(), psk, h.rand());
        try {
            ch.send(hello.reply(new SessionChallenge(h.suite(), r.rand())));
            Envelope proof = ch.receive();
            if (proof == null) {
                throw new IOException("peer closed during the handshake");
            }
            if (!(proof.body() instanceof SessionProof p)) {
                throw unexpected(proof.body(), SessionProof.class);
            }
            ResponderHandshake.Result result = r.verify(p.proof());
            ch.send(proof.reply(new SessionConfirm(result.proof())));
            return result.session();
        } finally {
            r.destroy();
        }
    }

    private static <T extends Message> T expect(MessageChannel ch, Class<T> type) throws IOException {
        Envelope e = ch.receive();
        if (e == null) {
            throw new IOException("peer closed during the handshake");
        }
        if (type.isInstance(e.body())) {
            return type.cast(e.body());
        }
        throw unexpected(e.body(), type);
    }

    private static CpnsException unexpected(Message got, Class<?> wanted) {
        if (got instanceof ErrorMessage err) {
            return err.toException();
        }
        return new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "expected " + wanted.getSimpleName() + ", got " + got.type().wireName());
    }
}
