package io.cpns.gw.update;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS that trusts exactly the operator CA(s) the gateway already trusts for its Server session
 * (gw-link's {@code operatorCaFile}): the artifact endpoint's certificate must chain to it and
 * name the host of the artifact URL (the JDK's HTTPS host name check).
 */
final class OperatorTrust {
    private OperatorTrust() {
    }

    static SSLContext context(Path caFile) throws IOException {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (cas.isEmpty()) {
                throw new IOException("no certificate in " + caFile);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : cas) {
                ks.setCertificateEntry("operator-ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the operator CA " + caFile + ": " + e.getMessage(), e);
        }
    }
}
