package io.cpns.pki;

import io.cpns.api.file.AtomicFile;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A development PKI in one directory: {@code operator-ca.pem} (give this to gateways),
 * {@code operator-ca.key}, {@code server.pem} (chain: server, CA) and {@code server.key}.
 * EC P-256 keys, ECDSA-SHA256 signatures. Production operators issue the server certificate from
 * their own CA and configure it instead (docs/operator-guide.md). The directory holds the CA's and
 * the server's private keys: it is kept 0700 and every file in it 0600, certificates included (the
 * operator copies {@code operator-ca.pem} out as the owner; nothing in it is for other accounts).
 */
public final class DevPki {
    public static final String CA_CERT = "operator-ca.pem";
    public static final String CA_KEY = "operator-ca.key";
    public static final String SERVER_CHAIN = "server.pem";
    public static final String SERVER_KEY = "server.key";

    /** Where the files are. */
    public record PkiFiles(Path caCert, Path serverChain, Path serverKey) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private DevPki() {
    }

    /**
     * Creates the CA (if absent) and a server certificate for {@code serverName} (if absent or
     * issued for another name), and returns the paths.
     */
    public static synchronized PkiFiles ensure(Path dir, String serverName, Duration validity) throws IOException {
        ownerOnlyDirectory(dir);
        Path caCert = dir.resolve(CA_CERT);
        Path caKey = dir.resolve(CA_KEY);
        Path chain = dir.resolve(SERVER_CHAIN);
        Path key = dir.resolve(SERVER_KEY);
        if (!Files.exists(caCert) || !Files.exists(caKey)) {
            AsymmetricCipherKeyPair ca = newKeyPair();
            X500Name name = new X500Name("CN=CPNS development operator CA");
            X509CertificateHolder cert = sign(name, name, ca.getPublic(), ca.getPrivate(), validity.multipliedBy(2), true, null);
            writeSecret(caKey, pem("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(ca.getPrivate()).getEncoded()));
            write(caCert, pem("CERTIFICATE", cert.getEncoded()));
            Files.deleteIfExists(chain);
        }
        if (!Files.exists(chain) || !Files.exists(key) || !Files.readString(chain).contains(marker(serverName))) {
            X509CertificateHolder ca = new X509CertificateHolder(readPem(caCert));
            AsymmetricKeyParameter caPrivate = PrivateKeyFactory.createKey(readPem(caKey));
            AsymmetricCipherKeyPair server = newKeyPair();
            X509CertificateHolder cert = sign(new X500Name("CN=" + serverName), ca.getSubject(), server.getPublic(),
                    caPrivate, validity, false, serverName);
            writeSecret(key, pem("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(server.getPrivate()).getEncoded()));
            write(chain, marker(serverName) + "\n" + pem("CERTIFICATE", cert.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()));
        }
        return new PkiFiles(caCert, chain, key);
    }

    private static String marker(String serverName) {
        return "# server name: " + serverName;
    }

    private static AsymmetricCipherKeyPair newKeyPair() {
        ECKeyPairGenerator g = new ECKeyPairGenerator();
        // named-curve parameters, so certificates carry the curve OID (PKIX implementations reject explicit ones)
        g.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1,
                ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1)), RANDOM));
        return g.generateKeyPair();
    }

    private static X509CertificateHolder sign(X500Name subject, X500Name issuer, AsymmetricKeyParameter publicKey,
                                              AsymmetricKeyParameter signingKey, Duration validity, boolean isCa,
                                              String dnsName) throws IOException {
        Instant now = Instant.now();
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey);
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, spki);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            boolean ip = dnsName.matches("[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*");
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, dnsName)));
        }
        AlgorithmIdentifier sigAlg = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
        AlgorithmIdentifier digAlg = new DefaultDigestAlgorithmIdentifierFinder().find(sigAlg);
        try {
            return b.build(new BcECContentSignerBuilder(sigAlg, digAlg).build(signingKey));
        } catch (OperatorCreationException e) {
            throw new IOException("cannot sign certificate", e);
        }
    }

    static String pem(String type, byte[] der) {
        StringWriter s = new StringWriter();
        try (PemWriter w = new PemWriter(s)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    static byte[] readPem(Path file) throws IOException {
        try (PemReader r = new PemReader(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            PemObject o = r.readPemObject();
            if (o == null) {
                throw new IOException("no PEM object in " + file);
            }
            return o.getContent();
        }
    }

    /** Created 0700, or made 0700 if an older version (or a looser umask) left it open. */
    private static void ownerOnlyDirectory(Path dir) throws IOException {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                    }
                }
            }
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        }
    }

    /** Certificates: owner-only too, like everything in the directory. */
    private static void write(Path file, String content) throws IOException {
        writeSecret(file, content);
    }

    /**
     * Owner-only from the first byte written, whole or not at all (AtomicFile); this PKI is the
     * directory's only writer, so what a cut write left goes first.
     */
    private static void writeSecret(Path file, String content) throws IOException {
        AtomicFile.deleteLeftovers(file);
        AtomicFile.write(file, content.getBytes(StandardCharsets.US_ASCII));
    }
}
