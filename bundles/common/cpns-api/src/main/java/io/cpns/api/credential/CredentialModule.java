package io.cpns.api.credential;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A module that keeps this PN GW's EUKey and performs the key operations of the PN GW-Server
 * secure session with it (TS §5.3.3.1.1), so the key is not in the PN GW's file keystore. One
 * implementation ships (bundle gw-credential-pkcs11: any PKCS#11 token, SoftHSM2 in tests); a
 * vendor registers its own for a secure element PKCS#11 cannot reach (docs/operator-guide.md
 * "Plugging in a secure element").
 *
 * <p>While such a service is registered <em>and</em> {@link #holdsKey()} is true, the server link
 * (gw-link) takes the EUKey from here only, never from the keystore, and the §5.3.3.2 exemption
 * ({@code cpns.gw.groupkey credentialModule=true}) may apply. At most one should be registered;
 * the one with the highest ranking is used.
 *
 * <p><b>Threads:</b> every method may be called from any thread, concurrently: the server link's
 * connection thread ({@code cpns-gw-link}) during a handshake, gw-pn's request threads for
 * {@link #unwrap}, Gogo's thread for {@link #fingerprint()}. Every method may block on the module
 * (a smart card answers in tens of milliseconds), never for longer than the module's own timeout;
 * none is called while the caller holds a lock another CPNS thread waits for. A failure of the
 * module is a {@link io.cpns.api.CpnsException} ({@code UNAVAILABLE} when it cannot be reached,
 * {@code NOT_AUTHENTICATED} when it holds no key), never a half result.
 *
 * <p><b>Secrets:</b> every {@code byte[]} returned is the caller's to wipe; every {@code byte[]}
 * passed in is the caller's (an implementation copies what it keeps and wipes its copies).
 */
@ProviderType
public interface CredentialModule {
    /** Where the key is, for operators ({@code gw:link}, logs): no secret, e.g. "PKCS#11 slot 3, key cpns-euk". */
    String description();

    /** Whether the module holds this PN GW's EUKey now (the module reachable and the key found in it). */
    boolean holdsKey();

    /**
     * Stores the EUKey the CPNS Server assigned (TS §5.3.1), or the keystore's copy moved in.
     *
     * @throws io.cpns.api.CpnsException {@code ALREADY_ASSIGNED} if the module already holds one
     */
    void importKey(byte[] euKey);

    /**
     * {@code HKDF-Extract-SHA256(salt, EUKey)} (RFC 5869 §2.2; an empty salt is HashLen zero bytes):
     * the first step of every derivation from the EUKey (the modern-v1 session key SK, the Key
     * Assignment password key PSK1). The EUKey is the HMAC's <em>message</em> here, not its key.
     *
     * @return PRK, 32 bytes
     */
    byte[] hkdfExtract(byte[] salt);

    /**
     * AES key unwrap (RFC 3394) of a key the Server wrapped under the EUKey (the LocalEUKey's PN GW
     * copy, seed 004 step 13).
     *
     * @throws io.cpns.api.CpnsException {@code BAD_MAC} if it was not wrapped under this EUKey
     */
    byte[] unwrap(byte[] wrapped);

    /**
     * Lends a copy of the EUKey to a step whose library needs it raw (Bouncy Castle's PSK-TLS 1.3
     * handshake); the copy is wiped when {@code use} returns or throws. A module that never lets
     * its key out throws {@code UNAVAILABLE}: then the link cannot use PSK-TLS with it.
     */
    <T> T withKey(KeyUse<T> use) throws IOException;

    /** The EUKey's non-secret fingerprint ({@code Suites.fingerprint}), or empty when no key is held. */
    String fingerprint();

    /** A step that needs the raw key: it must not keep {@code key} beyond the call. */
    @ConsumerType
    @FunctionalInterface
    interface KeyUse<T> {
        T apply(byte[] key) throws IOException;
    }
}
