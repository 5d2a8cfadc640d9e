package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Ack;
import io.cpns.api.message.KaInstallRequest;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaResponse;
import io.cpns.api.message.KaTrigger;
import io.cpns.api.message.Message;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The PNE's part of Key Assignment without UI (seed 001 §7.x.2): it keeps the ID and password
 * hash its PN GW installs (7.x.2.2.2), checks that a Key Assignment Trigger comes from its user
 * (7.x.2.3.2 step 1), asks for its key and takes the response (7.x.2.3.3, PNE steps 1-2). Every
 * refusal is a typed error, answered to the PN GW.
 *
 * <p>It needs no clock (issue 12, D87): a sensor without a real-time clock is the device seed
 * 001 is for. It never reads one; it echoes the trigger's Time (the PN GW's) in its request, where
 * the Server judges it against its own clock, and tells a replayed trigger by its Nonce, which it
 * remembers across restarts ({@link TriggerNonces}).
 *
 * <p>{@link #onInstall} and {@link #onTrigger} are the PN GW's requests as {@link PneClient}
 * dispatches them, on its inbound thread.
 */
final class PneKeyAssignment {
    private static final System.Logger LOG = System.getLogger(PneKeyAssignment.class.getName());
    static final String USER = "ka.user";
    static final String HASH = "ka.hpw";

    private final String pneId;
    private final SecretStore keys;
    private final TriggerNonces nonces;

    PneKeyAssignment(String pneId, SecretStore keys) {
        this.pneId = pneId;
        this.keys = keys;
        this.nonces = new TriggerNonces(keys);
    }

    /** §7.x.2.2.2: decrypt the password with PSK2 (the pre-assigned key), store the ID and the password's hash. */
    void install(KaInstallRequest r) {
        byte[] psk2 = keys.get(PneClient.PRE_ASSIGNED)
                .orElseThrow(() -> new CpnsException(ErrorCode.FORBIDDEN, "no pre-assigned key (PSK2) on this PNE"));
        char[] password = null;
        byte[] hpw = null;
        try {
            password = KeyAssignmentCrypto.decryptPassword(psk2, KeyAssignmentCrypto.PSK2, r.nonce(), pneId, r.userId(), r.encPassword());
            hpw = KeyAssignmentCrypto.of(Suites.byName(r.suite())).passwordHash(r.userId(), password);
            keys.put(HASH, hpw);
            keys.put(USER, (r.suite() + "\n" + r.userId()).getBytes(StandardCharsets.UTF_8));
        } finally {
            Bytes.wipe(psk2, hpw);
            if (password != null) {
                Bytes.wipe(password);
            }
        }
    }

    /**
     * §7.x.2.3.2 and the PNE's steps of 7.x.2.3.3: verify the trigger, send the request through
     * {@code relay}, check and unwrap the response; returns KeyPNE (the caller stores and wipes it).
     */
    byte[] trigger(KaTrigger t, Function<KaRequest, KaResponse> relay) {
        String[] installed = installed();
        String suite = installed[0];
        if (!installed[1].equals(t.userId())) {
            throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, "this PNE was installed for another user");
        }
        KeyAssignmentCrypto crypto = KeyAssignmentCrypto.of(Suites.byName(suite));
        byte[] hpw = keys.get(HASH).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no password hash installed"));
        byte[] kek = null;
        try {
            if (!Bytes.constantTimeEquals(crypto.triggerAuth(hpw, t.userId(), t.nonce(), t.time()), t.auth())) { // step 1
                throw new CpnsException(ErrorCode.AUTH_FAILED, "the trigger does not come from this PNE's user");
            }
            if (!nonces.firstSeen(t.nonce(), t.time())) { // recorded before the request leaves: a crash cannot reopen it
                throw new CpnsException(ErrorCode.REPLAY, "trigger Nonce already used, or Time no newer than a forgotten trigger's");
            }
            byte[] randPne = Randoms.bytes(crypto.randLength()); // step 2
            long time = t.time(); // step 3: the trigger's Time, echoed; the Server checks it against its clock
            KaResponse r = relay.apply(new KaRequest("", t.userId(), suite, randPne, time, crypto.requestAuth(hpw, t.userId(), randPne, time)));
            if (!Bytes.constantTimeEquals(crypto.responseAuth(hpw, t.userId(), randPne, r.randSvr()), r.auth())) {
                throw new CpnsException(ErrorCode.BAD_PROOF, "the Key Assignment Response does not verify: RANDSVR or the response altered");
            }
            kek = crypto.kek(hpw, t.userId(), randPne, r.randSvr());
            return crypto.unwrap(kek, r.wrappedKey()); // BAD_MAC: the wrapped key altered
        } finally {
            Bytes.wipe(hpw, kek);
        }
    }

    /** {@code ka.install.req} (§7.x.2.2.2): on a protected link only, from the PN GW that shares the pre-assigned key. */
    Message onInstall(KaInstallRequest r, GatewayLink link) {
        if (!link.secured()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "an ID and password are installed only over a protected link");
        }
        install(r);
        LOG.log(System.Logger.Level.INFO, "PNE {0}: ID of CPNS User {1} installed for Key Assignment", pneId, r.userId());
        return new Ack();
    }

    /** {@code ka.trigger} (§7.x.2.3.2-3): answered once this PNE holds its EUKey, or with what stopped it. Blocks on the PN GW. */
    Message onTrigger(KaTrigger t, GatewayLink link) {
        if (!link.secured()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "Key Assignment runs only over a protected link");
        }
        if (keys.aliases(PneClient.EUKEY).contains(PneClient.EUKEY)) {
            throw new CpnsException(ErrorCode.ALREADY_ASSIGNED, pneId + " already has an EUKey");
        }
        byte[] key = trigger(t, r -> (KaResponse) link.call(r));
        try {
            keys.put(PneClient.EUKEY, key);
        } finally {
            Bytes.wipe(key);
        }
        LOG.log(System.Logger.Level.INFO, "PNE {0}: EUKey assigned by Key Assignment without UI", pneId);
        return new Ack();
    }

    boolean installedFor(String userId) {
        return keys.get(USER).map(b -> new String(b, StandardCharsets.UTF_8).endsWith("\n" + userId)).orElse(false);
    }

    private String[] installed() {
        byte[] b = keys.get(USER).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no ID installed on this PNE"));
        return new String(b, StandardCharsets.UTF_8).split("\n", 2);
    }
}
