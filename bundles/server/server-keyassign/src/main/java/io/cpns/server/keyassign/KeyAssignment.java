package io.cpns.server.keyassign;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.UserId;
import io.cpns.api.message.KaRegisterRequest;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaResponse;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.UserRegistry;
import io.cpns.crypto.AtRestSealer;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.ReplayWindow;
import io.cpns.crypto.Suites;
import io.cpns.server.store.KeyAssignmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.osgi.service.log.Logger;

/**
 * The Server's part of Key Assignment for a PNE without UI (seed 001 §7.x.2): the Subscription &
 * Registration of a user's ID and password hash (7.x.2.1.2), and the answer to a Key Assignment
 * Request (7.x.2.3.3) relayed by the user's PN GW. Each refusal has its own code and a log line
 * without secrets. Password hashes are stored per suite, sealed (alias {@value #ALIAS}).
 */
final class KeyAssignment {
    static final String ALIAS = "server.ka-db-key";

    private final KeyAssignmentStore store;
    private final UserRegistry users;
    private final EntityRegistry entities;
    private final AtRestSealer sealer;
    private final Logger log;
    private final Clock clock;
    private final ReplayWindow randPnes;
    private final Set<String> suites;

    KeyAssignment(KeyAssignmentStore store, UserRegistry users, EntityRegistry entities, AtRestSealer sealer, Logger log, Clock clock,
                  long windowSeconds, Set<String> suites) {
        this.store = store;
        this.users = users;
        this.entities = entities;
        this.sealer = sealer;
        this.log = log;
        this.clock = clock;
        this.randPnes = new ReplayWindow(windowSeconds, 100_000);
        this.suites = Set.copyOf(suites);
    }

    /** §7.x.2.1.2: decrypt the password with PSK1, check it is the user's, store ID, hash per suite and subscription. */
    void register(Principal from, KaRegisterRequest r) {
        UserId user = ownUser(from, r.userId());
        byte[] psk1 = entities.euKey(from.entity()).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no EUKey of " + from.entity()));
        char[] password = null;
        Map<String, byte[]> sealed = new LinkedHashMap<>();
        try {
            password = KeyAssignmentCrypto.decryptPassword(psk1, KeyAssignmentCrypto.PSK1, r.nonce(), from.entity().value(), r.userId(),
                    r.encPassword()); // BAD_MAC: not encrypted with this PN GW's PSK1
            // AUTH_FAILED: not the user's password; RATE_LIMITED, BUSY: not checked. The registry logs each, throttled.
            // The source is the relaying PN GW: its LAN's guesses count against it and against the user.
            users.authenticate(user, password.clone(), "gw:" + from.entity().value());
            for (String suite : suites) {
                byte[] hpw = KeyAssignmentCrypto.of(Suites.byName(suite)).passwordHash(user.value(), password);
                try {
                    sealed.put(suite, sealer.seal(aad(user, suite), hpw));
                } finally {
                    Bytes.wipe(hpw);
                }
            }
        } finally {
            Bytes.wipe(psk1);
            if (password != null) {
                Bytes.wipe(password);
            }
        }
        store.register(user, sealed, r.subscription(), from.entity(), clock.instant());
        log.info("Key Assignment registration of {} by PN GW {}: password hash stored for {}, subscription {}", user, from.entity(),
                sealed.keySet(), r.subscription().keySet());
    }

    /** §7.x.2.3.3 steps 1-6, for the PNE the PN GW relayed the request from. */
    KaResponse assign(Principal from, KaRequest r) {
        UserId user = ownUser(from, r.userId());
        EntityId pne = EntityId.of(r.pneId());
        if (!suites.contains(r.suite())) {
            throw refused(pne, user, ErrorCode.UNSUPPORTED_SUITE, "suite " + r.suite() + " not accepted by this Server (cpns.server.keyassign "
                    + "suites: " + suites + (r.suite().equals("legacy-v1") ? "; legacy-v1 Key Assignment is off by default" : "") + ")");
        }
        long now = clock.instant().getEpochSecond();
        if (!randPnes.fresh(r.time(), now)) {
            throw refused(pne, user, ErrorCode.STALE_TIME, "Time " + r.time() + " is " + (r.time() - now) + " s from the Server's clock");
        }
        KeyAssignmentCrypto crypto = KeyAssignmentCrypto.of(Suites.byName(r.suite()));
        byte[] hpw = passwordHash(user, r.suite(), pne);
        byte[] kek = null;
        byte[] keyPne = null;
        try {
            if (!Bytes.constantTimeEquals(crypto.requestAuth(hpw, user.value(), r.randPne(), r.time()), r.auth())) { // steps 1-2
                throw refused(pne, user, ErrorCode.AUTH_FAILED, "user authentication data does not verify");
            }
            if (!randPnes.firstSeen(r.randPne(), now)) {
                throw refused(pne, user, ErrorCode.REPLAY, "RANDPNE already used");
            }
            keyPne = entities.assignEuKey(pne, EntityKind.PNE, user); // step 5; ALREADY_ASSIGNED if it holds a key
            byte[] randSvr = Randoms.bytes(crypto.randLength()); // step 3
            kek = crypto.kek(hpw, user.value(), r.randPne(), randSvr); // step 4
            byte[] wrapped = crypto.wrap(kek, keyPne);
            log.info("Key Assignment: EUKey of PNE {} of {} assigned through PN GW {} ({})", pne, user, from.entity(), r.suite());
            FaultPoints.reach("server.keyassign.assigned"); // the PNE's EUKey stored (not yet confirmed, D18), not answered
            return new KaResponse(randSvr, wrapped, crypto.responseAuth(hpw, user.value(), r.randPne(), randSvr)); // step 6
        } catch (CpnsException e) {
            if (e.code() == ErrorCode.ALREADY_ASSIGNED) {
                log.warn("Key Assignment for PNE {} of {} refused: {}", pne, user, e.getMessage());
            }
            throw e;
        } finally {
            Bytes.wipe(hpw, kek, keyPne);
        }
    }

    /** Only a PN GW relays, and only for its own user (TS §5.3.4: Entity ID and User ID). */
    private UserId ownUser(Principal from, String userId) {
        if (from.kind() != EntityKind.GATEWAY) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "Key Assignment for PNEs without UI goes through their PN GW");
        }
        UserId user = UserId.of(userId);
        if (!from.owns(user)) {
            log.warn("Key Assignment: PN GW {} of {} acted for {}, refused", from.entity(), from.user(), user);
            throw new CpnsException(ErrorCode.FORBIDDEN, "a PN GW acts for its own user only");
        }
        return user;
    }

    private byte[] passwordHash(UserId user, String suite, EntityId pne) {
        byte[] sealed = store.sealedPasswordHash(user, suite)
                .orElseThrow(() -> refused(pne, user, ErrorCode.UNKNOWN_ENTITY, "no Key Assignment registration of " + user + " in " + suite));
        return sealer.open(aad(user, suite), sealed);
    }

    private CpnsException refused(EntityId pne, UserId user, ErrorCode code, String why) {
        log.warn("Key Assignment for PNE {} of {} refused: {} ({})", pne, user, code, why);
        return new CpnsException(code, why);
    }

    private static byte[] aad(UserId user, String suite) {
        return ("CPNS-v1 ka-hash " + user.value() + " " + suite).getBytes(StandardCharsets.UTF_8);
    }
}
