package io.cpns.session.tls;

import io.cpns.crypto.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * One server-side TLS 1.3 handshake: an external PSK looked up by identity if the client offers
 * one we know (psk_dhe_ke: the PSK authenticates, ECDHE gives forward secrecy), otherwise a
 * certificate handshake if server credentials are configured, otherwise a handshake failure.
 */
final class CpnsTlsServer extends AbstractTlsServer {
    private final PskLookup pskLookup;
    private final ServerCredentials credentials;
    private String selectedIdentity;

    CpnsTlsServer(BcTlsCrypto crypto, PskLookup pskLookup, ServerCredentials credentials) {
        super(crypto);
        this.pskLookup = pskLookup;
        this.credentials = credentials;
    }

    String selectedIdentity() {
        return selectedIdentity;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return TlsProfile.VERSIONS.clone();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsProfile.CIPHER_SUITES.clone();
    }

    /**
     * Offers a PSK only for the <em>first</em> identity of the ClientHello, and only if its
     * obfuscated ticket age is 0 (RFC 8446 §4.2.11 for external PSKs). Bouncy Castle uses a returned
     * PSK only for an identity with age 0, and then either verifies its binder or aborts the
     * handshake; so when this returns a key, a completed handshake proves that key. For any other
     * identity it would silently fall back to a certificate handshake while we believed the PSK was
     * used. One identity also means one key lookup per ClientHello, however many a client lists.
     */
    @Override
    public TlsPSKExternal getExternalPSK(Vector identities) {
        if (pskLookup == null || identities == null || identities.isEmpty()) {
            return null;
        }
        PskIdentity first = (PskIdentity) identities.get(0);
        if (first.getObfuscatedTicketAge() != 0L) {
            return null;
        }
        String identity = new String(first.getIdentity(), StandardCharsets.UTF_8);
        byte[] key = pskLookup.lookup(identity);
        if (key == null) {
            return null;
        }
        try {
            selectedIdentity = identity;
            return new BasicTlsPSKExternal(first.getIdentity(), getCrypto().createSecret(key));
        } finally {
            Bytes.wipe(key);
        }
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
        if (credentials == null) {
            return null; // PSK-only endpoint: an unknown identity ends the handshake
        }
        BcTlsCrypto crypto = (BcTlsCrypto) getCrypto();
        CertificateEntry[] entries = new CertificateEntry[credentials.chain().size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new CertificateEntry(crypto.createCertificate(credentials.chain().get(i)), null);
        }
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, credentials.privateKey(),
                new Certificate(new byte[0], entries),
                SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
}
