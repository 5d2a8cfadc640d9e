package io.cpns.release.tool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Key files, in the formats OpenSSL and every PKI tool read: the private key as encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}: PBES2, PBKDF2-HMAC-SHA256 with {@value #ITERATIONS} iterations,
 * AES-256-CBC), the public key as SubjectPublicKeyInfo ({@code PUBLIC KEY}). A raw private key this
 * class returns is the caller's to wipe.
 */
final class KeyFiles {
    /** PBKDF2-HMAC-SHA256 iterations: OWASP's 2023 figure; about half a second per use here, once per ceremony. */
    static final int ITERATIONS = 600_000;

    /**
     * Bouncy Castle's JCA provider, for PKCS#8's AES-CBC with PKCS#7 padding and PBKDF2: an instance
     * handed to the builders, never registered, so nothing global changes in the JVM.
     */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private KeyFiles() {
    }

    /** A new raw private key (RFC 8032 seed) from the platform's strong random source. */
    static byte[] generate() throws ToolException {
        try {
            byte[] seed = new byte[32];
            SecureRandom.getInstanceStrong().nextBytes(seed);
            return seed;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new ToolException("no strong random source on this platform");
        }
    }

    static byte[] publicKey(byte[] rawPrivate) {
        return new Ed25519PrivateKeyParameters(rawPrivate, 0).generatePublicKey().getEncoded();
    }

    /** The encrypted PKCS#8 PEM of a raw private key. */
    static byte[] encryptedPem(byte[] rawPrivate, char[] passphrase) throws ToolException {
        try {
            // RFC 8410 §7, version 1 without the public key: OpenSSL 3.0 cannot read the version 2
            // form Bouncy Castle writes by default (its [1] publicKey is taken for attributes)
            PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                    new DEROctetString(rawPrivate));
            OutputEncryptor enc = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setPRF(PKCS8Generator.PRF_HMACSHA256).setIterationCount(ITERATIONS)
                    .setRandom(new SecureRandom()).setProvider(BC).setPassword(passphrase).build();
            return pem(new PKCS8Generator(info, enc).generate());
        } catch (IOException | OperatorCreationException e) {
            throw new ToolException("cannot encrypt the private key: " + e.getMessage());
        }
    }

    static byte[] publicPem(byte[] rawPublic) throws ToolException {
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(
                    new Ed25519PublicKeyParameters(rawPublic, 0));
            return pem(new PemObject("PUBLIC KEY", spki.getEncoded()));
        } catch (IOException e) {
            throw new ToolException("cannot encode the public key: " + e.getMessage());
        }
    }

    private static byte[] pem(org.bouncycastle.util.io.pem.PemObjectGenerator o) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PemWriter w = new PemWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII))) {
            w.writeObject(o);
        }
        return out.toByteArray();
    }

    /** The raw private key of an encrypted PKCS#8 PEM file (an unencrypted one is refused). */
    static byte[] readPrivate(Path file, char[] passphrase) throws ToolException {
        Object o = readPem(file);
        if (o instanceof PrivateKeyInfo || o instanceof org.bouncycastle.openssl.PEMKeyPair) {
            throw new ToolException(file + " holds an unencrypted private key: encrypt it (openssl pkcs8 -topk8 -v2 aes-256-cbc)");
        }
        if (!(o instanceof PKCS8EncryptedPrivateKeyInfo enc)) {
            throw new ToolException(file + " is not an encrypted private key (ENCRYPTED PRIVATE KEY)");
        }
        PrivateKeyInfo info;
        try {
            info = enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(passphrase));
        } catch (PKCSException | OperatorCreationException | RuntimeException e) {
            throw new ToolException("cannot decrypt " + file + ": wrong passphrase or damaged file");
        }
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new ToolException(file + " does not hold a key this tool knows");
        }
        if (!(key instanceof Ed25519PrivateKeyParameters ed)) {
            throw new ToolException(file + " holds no Ed25519 key");
        }
        return ed.getEncoded();
    }

    /** The raw public key of a {@code PUBLIC KEY} PEM file. */
    static byte[] readPublic(Path file) throws ToolException {
        Object o = readPem(file);
        if (!(o instanceof SubjectPublicKeyInfo spki)) {
            throw new ToolException(file + " is not a public key (PUBLIC KEY)");
        }
        try {
            if (PublicKeyFactory.createKey(spki) instanceof Ed25519PublicKeyParameters ed) {
                return ed.getEncoded();
            }
        } catch (IOException | RuntimeException e) {
            // below
        }
        throw new ToolException(file + " holds no Ed25519 public key");
    }

    private static Object readPem(Path file) throws ToolException {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ToolException("cannot read " + file + ": " + e.getMessage());
        }
        try (Reader r = new StringReader(new String(b, StandardCharsets.US_ASCII)); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            if (o == null) {
                throw new ToolException(file + " holds no PEM object");
            }
            return o;
        } catch (IOException | RuntimeException e) {
            throw new ToolException(file + " is not a readable PEM file");
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }
}
