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

    private TlsProfile() {
    }
}
