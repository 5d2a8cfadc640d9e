package io.cpns.session.tls;

import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * One server-side TLS 1.3 handshake: an external PSK looked up by the first offered identity
 * (psk_dhe_ke: the PSK authenticates, ECDHE gives forward secrecy); a certificate handshake, if
 * server credentials are configured, for a client that offers no PSK (bootstrap).
 *
 * <p>An identity nobody knows gets a random PSK of its own, in TLS 1.3 and in TLS 1.2: its
 * handshake then fails exactly where a known identity with a wrong key fails (binder:
 * {@code decrypt_error}; TLS 1.2 Finished: {@code bad_record_mac}), so the alerts do not tell which
 * Entity IDs have a key (issue 10; docs/security.md §10.2).
 */
final class CpnsTlsServer extends AbstractTlsServer {
    private static final int DECOY_KEY_BYTES = 32;
    private final PskLookup pskLookup;
    private final ServerCredentials credentials;
    private final boolean allowTls12Psk;
    private String selectedIdentity;
    private String authenticatedIdentity;
    private boolean tls12;
    private boolean decoy;

    CpnsTlsServer(BcTlsCrypto crypto, PskLookup pskLookup, ServerCredentials credentials) {
        this(crypto, pskLookup, credentials, false);
    }

    CpnsTlsServer(BcTlsCrypto crypto, PskLookup pskLookup, ServerCredentials credentials, boolean allowTls12Psk) {
        super(crypto);
        this.pskLookup = pskLookup;
        this.credentials = credentials;
        this.allowTls12Psk = allowTls12Psk;
    }

    /** The identity whose TLS 1.3 PSK was offered (see {@link #getExternalPSK}). */
    String selectedIdentity() {
        return selectedIdentity;
    }

    /** After a completed handshake: the PSK identity it proved, or null for a certificate handshake. */
    String authenticatedIdentity() {
        return authenticatedIdentity;
    }

    boolean negotiatedTls12() {
        return tls12;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return (allowTls12Psk ? TlsProfile.VERSIONS_WITH_TLS12 : TlsProfile.VERSIONS).clone();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        if (!allowTls12Psk) {
            return TlsProfile.CIPHER_SUITES.clone();
        }
        int[] all = new int[TlsProfile.CIPHER_SUITES.length + TlsProfile.TLS12_PSK_SUITES.length];
        System.arraycopy(TlsProfile.CIPHER_SUITES, 0, all, 0, TlsProfile.CIPHER_SUITES.length);
        System.arraycopy(TlsProfile.TLS12_PSK_SUITES, 0, all, TlsProfile.CIPHER_SUITES.length, TlsProfile.TLS12_PSK_SUITES.length);
        return all;
    }

    /** Our order decides (BC follows the client's by default): forward-secret suites first, see TlsProfile. */
    @Override
    protected boolean preferLocalCipherSuites() {
        return true;
    }

    /**
     * TLS 1.2 PSK key exchange: the client's identity, answered from the same lookup. The copy
     * returned is BC's to wipe: TlsPSKKeyExchange zeroes it once the premaster secret is made.
     */
    @Override
    public TlsPSKIdentityManager getPSKIdentityManager() {
        return new TlsPSKIdentityManager() {
            @Override
            public byte[] getHint() {
                return null;
            }

            @Override
            public byte[] getPSK(byte[] identity) {
                byte[] key = pskLookup == null ? null : pskLookup.lookup(new String(identity, StandardCharsets.UTF_8));
                return key != null ? key : decoyKey();
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        if (decoy) { // only reachable by guessing 256 random bits; refused all the same
            throw new TlsFatalAlert(AlertDescription.decrypt_error, "handshake completed with a decoy PSK");
        }
        SecurityParameters sp = context.getSecurityParametersConnection();
        tls12 = !TlsUtils.isTLSv13(sp.getNegotiatedVersion());
        if (tls12) {
            // TLS 1.2: only PSK suites are offered, and Finished proves the key of this identity
            byte[] id = sp.getPSKIdentity();
            authenticatedIdentity = id == null ? null : new String(id, StandardCharsets.UTF_8);
        } else {
            authenticatedIdentity = selectedIdentity;
        }
    }

    /**
     * Offers a PSK only for the <em>first</em> identity of the ClientHello, and only if its
     * obfuscated ticket age is 0 (RFC 8446 §4.2.11 for external PSKs). Bouncy Castle uses a returned
     * PSK only for an identity with age 0, and then either verifies its binder or aborts the
     * handshake; so when this returns a key, a completed handshake proves that key. For any other
     * identity it would silently fall back to a certificate handshake while we believed the PSK was
     * used. One identity also means one key lookup per ClientHello, however many a client lists.
     * An identity without a key gets a decoy PSK, whose binder fails like a wrong key's.
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
            key = decoyKey(); // its binder fails like a wrong key's: decrypt_error
        } else {
            selectedIdentity = identity;
        }
        try {
            return new BasicTlsPSKExternal(first.getIdentity(), getCrypto().createSecret(key));
        } finally {
            Bytes.wipe(key);
        }
    }

    /** A random PSK for an identity without one, as long as a LocalEUKey or EUKey. */
    private byte[] decoyKey() {
        decoy = true;
        return Randoms.bytes(DECOY_KEY_BYTES);
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
