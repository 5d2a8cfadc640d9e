package io.cpns.server.update.internal;

import io.cpns.api.file.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Server's certificate (PEM chain, leaf first, and its PKCS#8 EC key: what the endpoint uses)
 * as the PKCS#12 key store Jetty reads. Written owner-only and atomically (temp, fsync, rename).
 */
final class TlsKeyStore {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private TlsKeyStore() {
    }

    static KeyStore fromPem(Path chain, Path key, char[] password) throws IOException, GeneralSecurityException {
        List<byte[]> certs = blocks(Files.readString(chain, StandardCharsets.US_ASCII), "CERTIFICATE");
        List<byte[]> keys = blocks(Files.readString(key, StandardCharsets.US_ASCII), "PRIVATE KEY");
        if (certs.isEmpty() || keys.size() != 1) {
            throw new IOException("expected CERTIFICATE blocks in " + chain + " and one PRIVATE KEY in " + key);
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> out = new ArrayList<>();
        for (byte[] der : certs) {
            out.add(cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        byte[] pkcs8 = keys.get(0);
        PrivateKey pk;
        try {
            pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", pk, password, out.toArray(new Certificate[0]));
        return ks;
    }

    /** Written whole or not at all, owner-only (AtomicFile): Jetty may read it at any moment. */
    static void write(KeyStore ks, char[] password, Path file) throws IOException, GeneralSecurityException {
        Files.createDirectories(file.getParent());
        AtomicFile.deleteLeftovers(file); // ArtifactServer is its only writer
        try {
            AtomicFile.write(file, out -> {
                try {
                    ks.store(out, password);
                } catch (GeneralSecurityException e) {
                    throw new NotStored(e);
                }
            });
        } catch (NotStored e) {
            throw (GeneralSecurityException) e.getCause();
        }
    }

    /** Carries a {@link KeyStore#store} failure through {@link AtomicFile.Content}. */
    private static final class NotStored extends IOException {
        private static final long serialVersionUID = 1L;

        NotStored(GeneralSecurityException cause) {
            super(cause);
        }
    }

    private static List<byte[]> blocks(String text, String type) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }
}
