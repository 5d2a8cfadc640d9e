package io.cpns.gw.groupkey;

import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Ed25519;
import io.cpns.crypto.Primitives;
import io.cpns.crypto.Randoms;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * This PN GW's two long-term broadcast keys, made on first use and kept in the secret store: the
 * Ed25519 key it signs broadcasts with, and the key it derives each PNE's broker password from.
 * Deriving (rather than storing) passwords means no table to leak or keep in step: the PN GW
 * recomputes a PNE's password whenever it grants it again.
 */
final class BroadcastKeys {
    static final String SIGNER = "gwb.signer";
    static final String BROKER = "gwb.broker";
    private static final byte[] PASSWORD_LABEL = "CPNS-v1 broker password".getBytes(StandardCharsets.US_ASCII);

    private final SecretStore secrets;
    private final byte[] signer;
    private final byte[] signerPublic;

    BroadcastKeys(SecretStore secrets) {
        this.secrets = secrets;
        this.signer = loadOrCreate(SIGNER);
        this.signerPublic = Ed25519.publicKey(signer);
    }

    /** The signing key (held for the component's life, wiped at deactivation). */
    byte[] signer() {
        return signer;
    }

    byte[] signerPublic() {
        return signerPublic.clone();
    }

    /** {@code base64url(HMAC-SHA256(broker key, "CPNS-v1 broker password" ‖ pneId))}: 43 characters, 256 bits. */
    char[] password(String pneId) {
        byte[] key = loadOrCreate(BROKER);
        byte[] mac = Primitives.hmacSha256(key, PASSWORD_LABEL, pneId.getBytes(StandardCharsets.UTF_8));
        byte[] text = Base64.getUrlEncoder().withoutPadding().encode(mac);
        CharBuffer chars = StandardCharsets.US_ASCII.decode(ByteBuffer.wrap(text));
        char[] out = new char[chars.remaining()];
        chars.get(out);
        Bytes.wipe(key, mac, text);
        Bytes.wipe(chars.array());
        return out;
    }

    static byte[] utf8(char[] password) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        java.util.Arrays.fill(b.array(), (byte) 0);
        return out;
    }

    void wipe() {
        Bytes.wipe(signer);
    }

    private synchronized byte[] loadOrCreate(String alias) {
        return secrets.get(alias).orElseGet(() -> {
            byte[] k = alias.equals(SIGNER) ? Ed25519.generate() : Randoms.bytes(32);
            secrets.put(alias, k);
            return k;
        });
    }
}
