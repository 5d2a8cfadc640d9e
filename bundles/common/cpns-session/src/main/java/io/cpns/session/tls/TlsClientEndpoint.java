package io.cpns.session.tls;

import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerOnlyTlsAuthentication;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Client side of CPNS TLS. {@link #psk} authenticates both sides with a shared key (the normal
 * case); {@link #certificate} authenticates only the server, against the operator's CA (bootstrap).
 */
public final class TlsClientEndpoint {
    private static final BcTlsCrypto CRYPTO = new BcTlsCrypto(Randoms.secureRandom());

    private TlsClientEndpoint() {
    }

    /** TLS 1.3 with an external PSK (psk_dhe_ke) under {@code identity}; the key is copied. */
    public static TlsConnection psk(Socket socket, String identity, byte[] psk, int handshakeTimeoutMillis,
                                    int readTimeoutMillis) throws IOException {
        return psk(transport(socket), identity, psk, handshakeTimeoutMillis, readTimeoutMillis);
    }

    public static TlsConnection psk(Transport transport, String identity, byte[] psk, int handshakeTimeoutMillis,
                                    int readTimeoutMillis) throws IOException {
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        byte[] key = psk.clone();
        try {
            BasicTlsPSKExternal external = new BasicTlsPSKExternal(id, CRYPTO.createSecret(key));
            return connect(transport, new Client(external, null), identity, handshakeTimeoutMillis, readTimeoutMillis);
        } finally {
            Bytes.wipe(key);
        }
    }

    /** TLS 1.3 authenticating the server by certificate: chain to {@code verifier}'s CA, name match. */
    public static TlsConnection certificate(Socket socket, ServerCertificateVerifier verifier, int handshakeTimeoutMillis,
                                            int readTimeoutMillis) throws IOException {
        return certificate(transport(socket), verifier, handshakeTimeoutMillis, readTimeoutMillis);
    }

    public static TlsConnection certificate(Transport transport, ServerCertificateVerifier verifier, int handshakeTimeoutMillis,
                                            int readTimeoutMillis) throws IOException {
        return connect(transport, new Client(null, verifier), null, handshakeTimeoutMillis, readTimeoutMillis);
    }

    private static Transport transport(Socket socket) throws IOException {
        try {
            return Transport.of(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static TlsConnection connect(Transport transport, Client client, String identity, int handshakeTimeoutMillis,
                                         int readTimeoutMillis) throws IOException {
        try {
            transport.readTimeout(handshakeTimeoutMillis);
            TlsClientProtocol protocol = new TlsClientProtocol(transport.in(), transport.out());
            protocol.connect(client);
            transport.readTimeout(readTimeoutMillis);
            return new TlsConnection(transport, protocol.getInputStream(), protocol.getOutputStream(), identity, false);
        } catch (IOException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    private static final class Client extends AbstractTlsClient {
        private final BasicTlsPSKExternal psk;
        private final ServerCertificateVerifier verifier;

        Client(BasicTlsPSKExternal psk, ServerCertificateVerifier verifier) {
            super(CRYPTO);
            this.psk = psk;
            this.verifier = verifier;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return TlsProfile.VERSIONS.clone();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsProfile.CIPHER_SUITES.clone();
        }

        @Override
        public Vector getExternalPSKs() {
            if (psk == null) {
                return null;
            }
            Vector<Object> v = new Vector<>(1);
            v.add(psk);
            return v;
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new ServerOnlyTlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    // Reached only if the server did not accept our PSK and sent a certificate instead.
                    if (verifier == null) {
                        throw new TlsFatalAlert(AlertDescription.handshake_failure,
                                "server did not accept the PSK (unknown identity or key on the server?)");
                    }
                    org.bouncycastle.tls.crypto.TlsCertificate[] list = serverCertificate.getCertificate().getCertificateList();
                    X509Certificate[] chain = new X509Certificate[list.length];
                    for (int i = 0; i < list.length; i++) {
                        chain[i] = ServerCertificateVerifier.parse(list[i].getEncoded());
                    }
                    verifier.verify(chain);
                }
            };
        }
    }
}
