package io.cpns.itests.karaf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * The SSH user key of the test's Karaf operator, made in the test JVM before Karaf starts: the
 * private key as an owner-only PKCS#8 PEM file for {@code bin/client -k}, the public key in the
 * OpenSSH form {@code etc/keys.properties} wants (Karaf 4.4 ships without a login user).
 */
record SshUserKey(Path privateKeyFile, String openSshPublicKey) {
    static SshUserKey create(Path file) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair pair = g.generateKeyPair();
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(file, pem);
            byte[] blob = OpenSSHPublicKeyUtil.encodePublicKey(PublicKeyFactory.createKey(pair.getPublic().getEncoded()));
            return new SshUserKey(file.toAbsolutePath(), Base64.getEncoder().encodeToString(blob));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the SSH user key: " + e, e);
        }
    }
}
