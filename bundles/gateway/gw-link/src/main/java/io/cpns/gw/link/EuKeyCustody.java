package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.credential.CredentialModule;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Suites;
import org.osgi.service.log.Logger;

/**
 * Where this PN GW's EUKey is, and what may be done with it: the keystore ({@link SecretStore}), or
 * a credential module when one is present (TS §5.3.3.2 condition 2), which then holds it for good.
 * Its assignment (TS §5.3.1) happens once, under one lock with moving a keystore key into a module.
 * The link ({@link ServerLinkComponent}) asks it for the key of each session; nothing here opens a
 * connection to the Server but the assignment's bootstrap TLS ({@link Enrolment}).
 */
final class EuKeyCustody {
    private final SecretStore secrets;
    private final Logger log;
    private final Object lock = new Object(); // an assignment and a move into a module never interleave
    private volatile CredentialModule module; // where the EUKey is when present (optional, dynamic)

    EuKeyCustody(SecretStore secrets, Logger log) {
        this.secrets = secrets;
        this.log = log;
    }

    CredentialModule module() {
        return module;
    }

    void bind(CredentialModule m) {
        module = m;
    }

    /** @return whether {@code m} was the module in use (else a stale unbind: nothing changes) */
    boolean unbind(CredentialModule m) {
        if (module != m) {
            return false;
        }
        module = null;
        return true;
    }

    /** Whether the keystore holds the EUKey (exact alias: gw-1 must not see the key of gw-10). */
    boolean inKeystore(LinkSettings s) {
        return secrets.aliases(s.euKeyAlias()).contains(s.euKeyAlias());
    }

    boolean has(LinkSettings s) {
        CredentialModule m = module;
        return m != null && m.holdsKey() || inKeystore(s);
    }

    /** A copy of the keystore's EUKey for one session (the caller wipes it). */
    byte[] keystoreKey(LinkSettings s) {
        return secrets.get(s.euKeyAlias()).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "EUKey vanished"));
    }

    /** Seed 001 §7.x.2.1.1 step 2: the password under PSK1, the EUKey; in the module when it holds it. */
    byte[] encryptWithPsk1(LinkSettings s, byte[] nonce, String userId, char[] password) {
        CredentialModule m = module;
        if (m != null && m.holdsKey()) {
            return KeyAssignmentCrypto.encryptPassword(m::hkdfExtract, KeyAssignmentCrypto.PSK1, nonce, s.gatewayId().value(), userId,
                    password);
        }
        byte[] psk1 = secrets.get(s.euKeyAlias()).orElseThrow(() -> new CpnsException(ErrorCode.UNAVAILABLE,
                "PN GW " + s.gatewayId() + " has no EUKey yet"));
        try {
            return KeyAssignmentCrypto.encryptPassword(psk1, KeyAssignmentCrypto.PSK1, nonce, s.gatewayId().value(), userId, password);
        } finally {
            Bytes.wipe(psk1);
        }
    }

    /** TS §5.3.1: obtains the EUKey over bootstrap TLS and keeps it (in the module if present); never twice. */
    void assign(LinkSettings s, MessageCodec codec, String userId, char[] password) {
        synchronized (lock) {
            if (has(s)) {
                throw new CpnsException(ErrorCode.ALREADY_ASSIGNED, "PN GW " + s.gatewayId() + " already holds an EUKey"
                        + " (fingerprint " + fingerprint(s) + "); TS §5.3.1: assignment SHALL NOT happen again");
            }
            byte[] key = Enrolment.requestEuKey(s, codec, userId, password);
            try {
                CredentialModule m = module;
                if (m != null) {
                    m.importKey(key);
                } else {
                    secrets.put(s.euKeyAlias(), key);
                }
                log.info("EUKey assigned to PN GW {} by CPNS User {} (fingerprint {}), kept in {}", s.gatewayId(), userId,
                        Suites.fingerprint(key), m != null ? "credential module " + m.description() : "the keystore");
            } finally {
                Bytes.wipe(key);
            }
        }
    }

    /** A keystore EUKey goes into the module that holds none, then leaves the keystore (it is the module's now). */
    void moveIntoModule(CredentialModule m, LinkSettings s) {
        synchronized (lock) {
            if (m.holdsKey() || !inKeystore(s)) {
                return;
            }
            byte[] key = secrets.get(s.euKeyAlias()).orElse(null);
            if (key == null) {
                return;
            }
            try {
                m.importKey(key);
                if (!m.holdsKey()) {
                    throw new CpnsException(ErrorCode.UNAVAILABLE, "credential module " + m.description() + " did not keep the EUKey");
                }
                secrets.delete(s.euKeyAlias());
                log.info("EUKey of PN GW {} (fingerprint {}) moved into credential module {} and deleted from the keystore",
                        s.gatewayId(), Suites.fingerprint(key), m.description());
            } finally {
                Bytes.wipe(key);
            }
        }
    }

    /** A non-secret fingerprint of the EUKey, or empty if there is none. */
    String fingerprint(LinkSettings s) {
        CredentialModule m = module;
        if (m != null && m.holdsKey()) {
            try {
                return m.fingerprint();
            } catch (CpnsException e) {
                return "credential module: " + e.getMessage();
            }
        }
        try {
            return secrets.get(s.euKeyAlias()).map(k -> {
                try {
                    return Suites.fingerprint(k);
                } finally {
                    Bytes.wipe(k);
                }
            }).orElse("");
        } catch (CorruptSecretException e) {
            return "unreadable (see cpns:health)";
        }
    }
}
