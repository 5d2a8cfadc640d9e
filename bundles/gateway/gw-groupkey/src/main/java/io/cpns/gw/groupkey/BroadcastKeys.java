package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Ed25519;
import io.cpns.crypto.Primitives;
import io.cpns.crypto.Randoms;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.osgi.service.log.Logger;

/**
 * This PN GW's two long-term broadcast keys, made on first use and kept in the secret store: the
 * Ed25519 key it signs broadcasts with, and the key it derives each PNE's broker password from.
 * Deriving (rather than storing) passwords means no table to leak or keep in step: the PN GW
 * recomputes a PNE's password whenever it grants it again. A key that does not read back is
 * quarantined and made anew: then every key tree is rebuilt and every member welcomed again
 * ({@link #renewed()}), as the old trees' signatures and passwords no longer hold.
 */
final class BroadcastKeys {
    static final String SIGNER = KeyStoreAliases.BROADCAST_SIGNER;
    static final String BROKER = KeyStoreAliases.BROADCAST_BROKER;
    private static final byte[] PASSWORD_LABEL = "CPNS-v1 broker password".getBytes(StandardCharsets.US_ASCII);

    private final SecretStore secrets;
    private final byte[] signer;
    private final byte[] signerPublic;
    private final byte[] broker;
    private final Logger log;
    private boolean renewed;

    /** Both keys are read once (a secret-store read decrypts a file) and held until {@link #wipe()}. */
    BroadcastKeys(SecretStore secrets, Logger log) {
        this.secrets = secrets;
        this.log = log;
        this.signer = loadOrCreate(SIGNER);
        this.signerPublic = Ed25519.publicKey(signer);
        this.broker = loadOrCreate(BROKER);
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
        byte[] mac = Primitives.hmacSha256(broker, PASSWORD_LABEL, pneId.getBytes(StandardCharsets.UTF_8));
        byte[] text = Base64.getUrlEncoder().withoutPadding().encode(mac);
        char[] out = new char[text.length];
        for (int i = 0; i < text.length; i++) {
            out[i] = (char) text[i]; // base64url is ASCII
        }
        Bytes.wipe(mac, text);
        return out;
    }

    void wipe() {
        Bytes.wipe(signer, broker);
    }

    /** Whether a key was made now: key trees made under the old ones cannot be used any more. */
    boolean renewed() {
        return renewed;
    }

    private byte[] loadOrCreate(String alias) {
        try {
            java.util.Optional<byte[]> held = secrets.get(alias);
            if (held.isPresent()) {
                return held.get();
            }
        } catch (CpnsException e) {
            if (!Records.unreadable(e)) {
                throw e;
            }
            String where = secrets.quarantine(alias).map(w -> "moved to " + w).orElse("deleted");
            log.warn("PN GW broadcast key {} does not read back ({}): quarantined ({}); a new one is made, every key tree rebuilt "
                    + "and every broadcast member welcomed again by unicast", alias, e.getMessage(), where);
        }
        byte[] k = alias.equals(SIGNER) ? Ed25519.generate() : Randoms.bytes(32);
        secrets.put(alias, k);
        renewed = true;
        return k;
    }
}
