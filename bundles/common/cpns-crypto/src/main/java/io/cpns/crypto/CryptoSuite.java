package io.cpns.crypto;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the seeds call Hash, MAC, encryption, key wrapping and session-key derivation. A suite is
 * stateless and thread-safe. Two implementations: {@link ModernSuite} (default) and
 * {@link LegacySuite} (the seeds' formulas literally, SHA-1). Layouts: docs/security.md.
 */
@ProviderType
public interface CryptoSuite {
    /** Wire name, e.g. {@code modern-v1}. */
    String name();

    /** Length of random numbers (rand_PNE, rand_server, RANDPNE, RANDSVR, Nonce) in this suite. */
    default int randLength() {
        return 32;
    }

    /** {@code Hash(p1 | p2 | ...)}. */
    byte[] hash(byte[]... parts);

    /** MAC over {@code p1 | p2 | ...} keyed with {@code key}. */
    byte[] mac(byte[] key, byte[]... parts);

    /** Session key {@code SK} from the PSK (EUKey or LocalEUKey) and both random numbers. */
    byte[] sessionKey(byte[] psk, Transcript t);

    /**
     * The same {@code SK} from a PSK this process does not hold (a credential module), given the
     * module's {@code HKDF-Extract-SHA256(salt, PSK)}. Only a suite whose derivation starts with that
     * step supports it (modern-v1); the others answer {@code UNSUPPORTED_SUITE}.
     *
     * @param extract {@code salt -> PRK}; its result is wiped here
     */
    default byte[] sessionKey(java.util.function.UnaryOperator<byte[]> extract, Transcript t) {
        throw new io.cpns.api.CpnsException(io.cpns.api.ErrorCode.UNSUPPORTED_SUITE,
                name() + " needs the PSK itself; with a credential module use modern-v1");
    }

    /** The initiator's proof ({@code hash_PNE} in seed 004). */
    byte[] initiatorProof(byte[] psk, byte[] sk, Transcript t);

    /** The responder's proof ({@code hash_server}): like the initiator's, plus the initiator's proof. */
    byte[] responderProof(byte[] psk, byte[] sk, Transcript t, byte[] initiatorProof);

    /** The AEAD key protecting messages in one direction of the session keyed by {@code sk}. */
    byte[] trafficKey(byte[] sk, Direction direction);

    /** A cipher for messages under {@code key} (AES-GCM, 12-byte nonce, 16-byte tag). */
    default AeadCipher aead(byte[] key) {
        return new AeadCipher(key);
    }

    /** AES key wrap (RFC 3394) of {@code key} under {@code kek}. */
    default byte[] wrap(byte[] kek, byte[] key) {
        return KeyWrap.wrap(kek, key);
    }

    /** Inverse of {@link #wrap}; a wrong KEK or tampered input is {@code BAD_MAC}. */
    default byte[] unwrap(byte[] kek, byte[] wrapped) {
        return KeyWrap.unwrap(kek, wrapped);
    }

    /** Length of a fresh symmetric key (EUKey, LocalEUKey, Group Key) in this suite. */
    default int keyLength() {
        return 32;
    }
}
