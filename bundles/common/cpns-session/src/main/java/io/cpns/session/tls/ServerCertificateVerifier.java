package io.cpns.session.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;

/**
 * Checks the server's certificate during bootstrap: the chain must validate (PKIX, RFC 5280) to
 * the operator's CA certificate, and the leaf's subjectAltName must contain the configured server
 * name (DNS name or IP address, exact match). Revocation is not checked: the CA is private to the
 * operator and the bootstrap only delivers a key that the PSK handshake then proves.
 */
public final class ServerCertificateVerifier {
    private final Set<TrustAnchor> anchors;
    private final String serverName;

    public ServerCertificateVerifier(Collection<X509Certificate> operatorCas, String serverName) {
        if (operatorCas.isEmpty()) {
            throw new IllegalArgumentException("no operator CA certificate");
        }
        this.anchors = Set.copyOf(operatorCas.stream().map(c -> new TrustAnchor(c, null)).toList());
        this.serverName = serverName;
    }

    /** Reads one or more PEM (or DER) CA certificates from a file. */
    public static ServerCertificateVerifier fromFile(Path caFile, String serverName) throws IOException {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException("no certificate in operator CA file " + caFile);
            }
            return new ServerCertificateVerifier(certs.stream().map(X509Certificate.class::cast).toList(), serverName);
        } catch (CertificateException e) {
            throw new IOException("cannot read operator CA certificate " + caFile + ": " + e.getMessage(), e);
        }
    }

    static X509Certificate parse(byte[] der) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "unparseable server certificate", e);
        }
    }

    void verify(X509Certificate[] chain) throws IOException {
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(Arrays.asList(chain)), params);
        } catch (GeneralSecurityException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate,
                    "server certificate does not chain to the operator CA: " + e.getMessage(), e);
        }
        if (!nameMatches(chain[0])) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate,
                    "server certificate is not for '" + serverName + "'");
        }
    }

    /** The address if {@code s} is an IPv4 or IPv6 literal (no name lookup), else null. */
    static InetAddress ipLiteral(String s) {
        if (!s.matches("[0-9.]+") && !s.contains(":")) {
            return null;
        }
        try {
            return InetAddress.getByName(s.startsWith("[") ? s.substring(1, s.length() - 1) : s);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private boolean nameMatches(X509Certificate leaf) throws IOException {
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            InetAddress wantedIp = ipLiteral(serverName);
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == 2 && wantedIp == null && serverName.equalsIgnoreCase(value)) {
                    return true; // dNSName, exact (no wildcards)
                }
                if (type == 7 && wantedIp != null && wantedIp.equals(ipLiteral(value))) {
                    return true; // iPAddress, compared as addresses: "::1" is the JDK's "0:0:0:0:0:0:0:1"
                }
            }
            return false;
        } catch (CertificateException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "unreadable subjectAltName", e);
        }
    }
}
