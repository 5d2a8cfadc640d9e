package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.EuKeyAssignRequest;
import io.cpns.api.message.EuKeyAssignResponse;
import io.cpns.api.message.Message;
import io.cpns.api.message.TunnelClose;
import io.cpns.api.message.TunnelData;
import io.cpns.api.message.TunnelOpen;
import io.cpns.api.store.SecretStore;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Bytes;
import io.cpns.pne.internal.TunnelTransport;
import io.cpns.session.tls.ServerCertificateVerifier;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import java.io.IOException;

/**
 * EUKey assignment to a PNE with UI (TS §5.3.1): server-authenticated TLS to the CPNS Server's
 * bootstrap endpoint, carried in {@code tunnel.data} messages through the PN GW, which sees only
 * ciphertext. One tunnel at a time; the bytes from the Server arrive on the PNE's reader thread.
 */
final class EuKeyTunnel {
    private final PneConfig config;
    private final SecretStore keys;
    private final MessageCodec codec;
    private final GatewayLink link;
    private volatile TunnelTransport tunnel;

    EuKeyTunnel(PneConfig config, SecretStore keys, MessageCodec codec, GatewayLink link) {
        this.config = config;
        this.keys = keys;
        this.codec = codec;
        this.link = link;
    }

    boolean hasEuKey() {
        return keys.aliases(PneClient.EUKEY).contains(PneClient.EUKEY);
    }

    /** See {@link PneClient#assignEuKey}; wipes the password. Blocks. */
    void assign(String userId, char[] password) {
        byte[] pw = Bytes.utf8(password);
        Bytes.wipe(password);
        try {
            if (hasEuKey()) {
                throw new CpnsException(ErrorCode.ALREADY_ASSIGNED, "PNE " + config.id() + " already holds an EUKey (TS §5.3.1)");
            }
            if (config.operatorCa() == null) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "no operator CA configured: cannot authenticate the Server");
            }
            ServerCertificateVerifier verifier = ServerCertificateVerifier.fromFile(config.operatorCa(), config.serverName());
            link.call(new TunnelOpen());
            TunnelTransport t = new TunnelTransport(data -> sendQuietly(new TunnelData(data)), () -> sendQuietly(new TunnelClose("done")));
            tunnel = t;
            try {
                int timeout = (int) config.requestTimeout().toMillis();
                TlsConnection tls = TlsClientEndpoint.certificate(t, verifier, timeout, timeout);
                MessageChannel ch = new MessageChannel(codec, tls.in(), tls.out(), 65536, tls);
                ch.send(new Envelope(config.id(), config.serverId(), 1,
                        new EuKeyAssignRequest(config.id().value(), EntityKind.PNE, userId, pw)));
                Bytes.wipe(pw);
                Envelope reply = ch.receive();
                if (reply == null) {
                    throw new CpnsException(ErrorCode.UNAVAILABLE, "the Server closed the tunnel without an answer");
                }
                if (reply.body() instanceof ErrorMessage err) {
                    throw err.toException();
                }
                byte[] key = ((EuKeyAssignResponse) reply.body()).euKey();
                keys.put(PneClient.EUKEY, key);
                Bytes.wipe(key);
            } finally {
                t.close();
                tunnel = null;
            }
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "EUKey assignment through the PN GW failed: " + e.getMessage());
        } finally {
            Bytes.wipe(pw);
        }
    }

    private void sendQuietly(Message m) {
        try {
            link.send(m);
        } catch (IOException ignored) {
            // the link is gone: the TLS client sees the tunnel end
        }
    }

    /** {@code tunnel.data} or {@code tunnel.close} from the PN GW (reader thread); ignored without a tunnel. */
    void received(Message m) {
        TunnelTransport t = tunnel;
        if (t == null) {
            return;
        }
        if (m instanceof TunnelData d) {
            t.received(d.data());
        } else if (m instanceof TunnelClose) {
            t.ended();
        }
    }

    /** The link to the PN GW ended: so did the tunnel. */
    void linkEnded() {
        TunnelTransport t = tunnel;
        if (t != null) {
            t.ended();
        }
    }
}
