package io.cpns.session.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;

/**
 * The server's certificate chain and EC P-256 private key, used only to authenticate the server
 * during bootstrap (before a PN GW has an EUKey). Loaded from PEM files: the chain as
 * {@code CERTIFICATE} blocks (leaf first), the key as an unencrypted PKCS#8 {@code PRIVATE KEY}.
 */
public final class ServerCredentials {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private final List<byte[]> chain;
    private final AsymmetricKeyParameter privateKey;

    public ServerCredentials(List<byte[]> derChain, AsymmetricKeyParameter privateKey) {
        if (derChain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
        if (!(privateKey instanceof ECPrivateKeyParameters)) {
            throw new IllegalArgumentException("server key must be an EC (P-256) private key");
        }
        this.chain = List.copyOf(derChain);
        this.privateKey = privateKey;
    }

    public static ServerCredentials fromPem(Path certificateChain, Path privateKey) throws IOException {
        List<byte[]> certs = pemBlocks(Files.readString(certificateChain, StandardCharsets.US_ASCII), "CERTIFICATE");
        List<byte[]> keys = pemBlocks(Files.readString(privateKey, StandardCharsets.US_ASCII), "PRIVATE KEY");
        if (certs.isEmpty() || keys.size() != 1) {
            throw new IOException("expected CERTIFICATE blocks in " + certificateChain + " and one PRIVATE KEY in " + privateKey);
        }
        return new ServerCredentials(certs, PrivateKeyFactory.createKey(keys.get(0)));
    }

    static List<byte[]> pemBlocks(String text, String type) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }

    List<byte[]> chain() {
        return chain;
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }
}
