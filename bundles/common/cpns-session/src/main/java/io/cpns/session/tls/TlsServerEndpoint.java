package io.cpns.session.tls;

import io.cpns.crypto.Randoms;
import java.io.IOException;
import java.net.Socket;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Server side of CPNS TLS: runs the handshake on an accepted transport. Thread-safe; one instance
 * serves every connection of a listener.
 */
public final class TlsServerEndpoint {
    private final PskLookup pskLookup;
    private final ServerCredentials credentials;
    private final boolean allowTls12Psk;
    private final BcTlsCrypto crypto = new BcTlsCrypto(Randoms.secureRandom());

    /**
     * @param pskLookup   PSK by identity; {@code null} for certificate-only
     * @param credentials certificate and key for bootstrap clients; {@code null} for PSK-only
     */
    public TlsServerEndpoint(PskLookup pskLookup, ServerCredentials credentials) {
        this(pskLookup, credentials, false);
    }

    /** @param allowTls12Psk also accept TLS 1.2 PSK cipher suites (small devices without TLS 1.3) */
    public TlsServerEndpoint(PskLookup pskLookup, ServerCredentials credentials, boolean allowTls12Psk) {
        if (pskLookup == null && credentials == null) {
            throw new IllegalArgumentException("a TLS endpoint needs a PSK lookup, credentials, or both");
        }
        if (allowTls12Psk && pskLookup == null) {
            throw new IllegalArgumentException("TLS 1.2 PSK needs a PSK lookup");
        }
        this.pskLookup = pskLookup;
        this.credentials = credentials;
        this.allowTls12Psk = allowTls12Psk;
    }

    public TlsConnection accept(Socket socket, int handshakeTimeoutMillis, int readTimeoutMillis) throws IOException {
        try {
            return accept(Transport.of(socket), handshakeTimeoutMillis, readTimeoutMillis);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Runs the handshake within {@code handshakeTimeoutMillis} per read, then sets the read
     * timeout to {@code readTimeoutMillis}. On failure the transport is closed.
     */
    public TlsConnection accept(Transport transport, int handshakeTimeoutMillis, int readTimeoutMillis) throws IOException {
        try {
            transport.readTimeout(handshakeTimeoutMillis);
            CpnsTlsServer server = new CpnsTlsServer(crypto, pskLookup, credentials, allowTls12Psk);
            TlsServerProtocol protocol = new TlsServerProtocol(transport.in(), transport.out());
            protocol.accept(server);
            transport.readTimeout(readTimeoutMillis);
            return new TlsConnection(transport, protocol.getInputStream(), protocol.getOutputStream(),
                    server.authenticatedIdentity(), server.negotiatedTls12());
        } catch (IOException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }
}
