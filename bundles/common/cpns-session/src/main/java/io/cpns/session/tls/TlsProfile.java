package io.cpns.session.tls;

import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ProtocolVersion;

/**
 * What both ends of CPNS TLS offer: TLS 1.3 only, AEAD suites with SHA-256 (the hash of the
 * external PSK's PRF, so every PSK handshake can use every suite offered).
 */
final class TlsProfile {
    static final ProtocolVersion[] VERSIONS = ProtocolVersion.TLSv13.only();
    static final int[] CIPHER_SUITES = {CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256};

    /**
     * TLS 1.2 PSK suites a PN GW may also accept from small PNEs (RFC 4279, 5487, 5489, 6655, 7905):
     * forward-secret ECDHE_PSK first, then plain PSK with AEAD, including CCM_8 for constrained stacks.
     * The server's order wins ({@code CpnsTlsServer.preferLocalCipherSuites}).
     */
    static final int[] TLS12_PSK_SUITES = {
        CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_PSK_WITH_AES_128_CCM,
        CipherSuite.TLS_PSK_WITH_AES_128_CCM_8
    };
    static final ProtocolVersion[] VERSIONS_WITH_TLS12 = ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12);

    private TlsProfile() {
    }
}
