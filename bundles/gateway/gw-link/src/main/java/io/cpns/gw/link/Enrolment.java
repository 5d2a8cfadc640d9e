package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.EuKeyAssignRequest;
import io.cpns.api.message.EuKeyAssignResponse;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Bytes;
import io.cpns.session.tls.ServerCertificateVerifier;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * EUKey assignment to this PN GW (TS §5.3.1) over bootstrap TLS: the Server is authenticated by
 * its certificate (operator CA + server name), the CPNS User by ID and password, inside TLS.
 */
final class Enrolment {
    private Enrolment() {
    }

    /** @return the assigned EUKey (the caller stores and wipes it) */
    static byte[] requestEuKey(LinkSettings s, MessageCodec codec, String userId, char[] password) {
        ServerCertificateVerifier verifier;
        try {
            verifier = ServerCertificateVerifier.fromFile(s.operatorCaFile(), s.serverName());
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "cannot read the operator CA certificate " + s.operatorCaFile()
                    + " (configure operatorCaFile): " + e.getMessage());
        }
        byte[] pw = Bytes.utf8(password);
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(s.serverHost(), s.serverPort()), s.connectTimeoutMillis());
            TlsConnection tls = TlsClientEndpoint.certificate(socket, verifier, s.handshakeTimeoutMillis(), s.handshakeTimeoutMillis());
            try (MessageChannel ch = new MessageChannel(codec, tls.in(), tls.out(), s.maxFrameBytes(), tls)) {
                ch.send(new Envelope(s.gatewayId(), s.serverId(), 1,
                        new EuKeyAssignRequest(s.gatewayId().value(), EntityKind.GATEWAY, userId, pw)));
                Bytes.wipe(pw);
                Envelope reply = ch.receive();
                if (reply == null) {
                    throw new CpnsException(ErrorCode.UNAVAILABLE, "server closed the bootstrap connection without an answer");
                }
                if (reply.body() instanceof ErrorMessage err) {
                    throw err.toException();
                }
                if (!(reply.body() instanceof EuKeyAssignResponse r) || !r.entityId().equals(s.gatewayId().value())
                        || r.euKey().length != 32) {
                    throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "unexpected answer to the EUKey assignment: "
                            + reply.type().wireName());
                }
                return r.euKey();
            }
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "cannot reach the CPNS Server at " + s.server() + ": " + e.getMessage());
        } finally {
            Bytes.wipe(pw);
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

}
