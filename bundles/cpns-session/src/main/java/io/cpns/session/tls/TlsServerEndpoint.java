package io.cpns.session.tls;

import io.cpns.crypto.Randoms;
import java.io.IOException;
import java.net.Socket;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Server side of CPNS TLS: runs the handshake on an accepted socket. Thread-safe; one instance
 * serves every connection of a listener.
 */
public final class TlsServerEndpoint {
    private final PskLookup pskLookup;
    private final ServerCredentials credentials;
    private final BcTlsCrypto crypto = new BcTlsCrypto(Randoms.secureRandom());

    /**
     * @param pskLookup   PSK by identity; {@code null} for certificate-only
     * @param credentials certificate and key for bootstrap clients; {@code null} for PSK-only
     */
    public TlsServerEndpoint(PskLookup pskLookup, ServerCredentials credentials) {
        if (pskLookup == null && credentials == null) {
            throw new IllegalArgumentException("a TLS endpoint needs a PSK lookup, credentials, or both");
        }
        this.pskLookup = pskLookup;
        this.credentials = credentials;
    }

    /**
     * Runs the handshake within {@code handshakeTimeoutMillis}, then restores the socket's read
     * timeout to {@code readTimeoutMillis}. On failure the socket is closed.
     */
    public TlsConnection accept(Socket socket, int handshakeTimeoutMillis, int readTimeoutMillis) throws IOException {
        try {
            socket.setTcpNoDelay(true); // TLS 1.3 handshakes stall ~8x without it (stack notes, trap 5)
            socket.setSoTimeout(handshakeTimeoutMillis);
            CpnsTlsServer server = new CpnsTlsServer(crypto, pskLookup, credentials);
            TlsServerProtocol protocol = new TlsServerProtocol(socket.getInputStream(), socket.getOutputStream());
            protocol.accept(server);
            socket.setSoTimeout(readTimeoutMillis);
            return new TlsConnection(socket, protocol.getInputStream(), protocol.getOutputStream(),
                    server.selectedIdentity());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
