package io.cpns.pne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.KaInstallRequest;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaResponse;
import io.cpns.api.message.KaTrigger;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PNE's steps of seed 001 §7.x.2 (7.x.2.2.2, 7.x.2.3.2, and the PNE's part of 7.x.2.3.3), in
 * both suites. The Server's answer is computed here with the same formulas (its own checks are
 * KeyAssignmentTest's; end to end, KeyAssignmentIT).
 */
class PneKeyAssignmentTest {
    private static final String PNE = "pne-sensor";
    private static final String USER = "alice";
    private static final char[] PASSWORD = "alice-secret-1".toCharArray();
    private static final long NOW = 1_700_000_000L;

    @TempDir
    Path dir;
    private EncryptedFileStore keys;
    private byte[] pak;

    @BeforeEach
    void setUp() throws Exception {
        keys = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        pak = Randoms.bytes(32);
        keys.put(PneClient.PRE_ASSIGNED, pak);
    }

    /** A PNE without a clock: nothing in Key Assignment reads one (issue 12 §2). */
    private PneKeyAssignment pne() {
        return new PneKeyAssignment(PNE, keys);
    }

    /** The same PNE after a restart: its store opened anew from disk. */
    private PneKeyAssignment restarted() throws Exception {
        keys = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        return pne();
    }

    private void installed(PneKeyAssignment p, String suite) {
        byte[] nonce = Randoms.bytes(12);
        p.install(new KaInstallRequest(USER, suite, nonce, KeyAssignmentCrypto.encryptPassword(pak, KeyAssignmentCrypto.PSK2, nonce, PNE,
                USER, PASSWORD)));
    }

    private static KaTrigger trigger(String suite, char[] password, long time) {
        KeyAssignmentCrypto c = KeyAssignmentCrypto.of(Suites.byName(suite));
        byte[] nonce = Randoms.bytes(32);
        return new KaTrigger(USER, nonce, time, c.triggerAuth(c.passwordHash(USER, password), USER, nonce, time));
    }

    /** The Server's side of 7.x.2.3.3 as the formulas say, with {@code tamper} applied to its answer. */
    private static Function<KaRequest, KaResponse> server(String suite, byte[] keyPne, Function<KaResponse, KaResponse> tamper) {
        return server(suite, keyPne, tamper, null);
    }

    /** As above; with {@code echoed}, the request must carry that Time (the trigger's). */
    private static Function<KaRequest, KaResponse> server(String suite, byte[] keyPne, Function<KaResponse, KaResponse> tamper, Long echoed) {
        return r -> {
            if (echoed != null) {
                assertEquals(echoed, r.time(), "the PNE echoes the trigger's Time");
            }
            KeyAssignmentCrypto c = KeyAssignmentCrypto.of(Suites.byName(suite));
            byte[] hpw = c.passwordHash(USER, PASSWORD);
            assertArrayEquals(c.requestAuth(hpw, USER, r.randPne(), r.time()), r.auth(), "step 3 of 7.x.2.3.2");
            byte[] randSvr = Randoms.bytes(32);
            byte[] wrapped = c.wrap(c.kek(hpw, USER, r.randPne(), randSvr), keyPne);
            return tamper.apply(new KaResponse(randSvr, wrapped, c.responseAuth(hpw, USER, r.randPne(), randSvr)));
        };
    }

    private static ErrorCode refusal(Executable e) {
        return assertThrows(CpnsException.class, e).code();
    }

    @Test
    void step7x2_2_2_install_storesIdAndPasswordHash_notThePassword() {
        PneKeyAssignment p = pne();
        installed(p, "legacy-v1");
        assertTrue(p.installedFor(USER));
        assertArrayEquals(KeyAssignmentCrypto.of(Suites.legacy()).passwordHash(USER, PASSWORD), keys.get(PneKeyAssignment.HASH).orElseThrow());
        byte[] nonce = Randoms.bytes(12);
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> p.install(new KaInstallRequest(USER, "modern-v1", nonce,
                KeyAssignmentCrypto.encryptPassword(Randoms.bytes(32), KeyAssignmentCrypto.PSK2, nonce, PNE, USER, PASSWORD)))),
                "not encrypted with this PNE's PSK2");
    }

    @Test
    void step7x2_3_trigger_request_response_theKeyPneOpens_inBothSuites() {
        for (String suite : new String[] {"modern-v1", "legacy-v1"}) {
            PneKeyAssignment p = pne();
            installed(p, suite);
            byte[] keyPne = Randoms.bytes(32);
            assertArrayEquals(keyPne, p.trigger(trigger(suite, PASSWORD, NOW), server(suite, keyPne, r -> r)));
        }
    }

    @Test
    void refusals_eachWithItsOwnCode() {
        PneKeyAssignment p = pne();
        assertEquals(ErrorCode.UNKNOWN_ENTITY, refusal(() -> p.trigger(trigger("modern-v1", PASSWORD, NOW), server("modern-v1", new byte[32], r -> r))),
                "nothing installed");
        installed(p, "modern-v1");
        byte[] k = Randoms.bytes(32);
        assertEquals(ErrorCode.AUTH_FAILED, refusal(() -> p.trigger(trigger("modern-v1", "guess".toCharArray(), NOW), server("modern-v1", k, r -> r))));
        KaTrigger once = trigger("modern-v1", PASSWORD, NOW);
        p.trigger(once, server("modern-v1", k, r -> r));
        assertEquals(ErrorCode.REPLAY, refusal(() -> p.trigger(once, server("modern-v1", k, r -> r))));

        byte[] flipped = Randoms.bytes(32);
        assertEquals(ErrorCode.BAD_PROOF, refusal(() -> p.trigger(trigger("modern-v1", PASSWORD, NOW), server("modern-v1", k,
                r -> new KaResponse(flipped, r.wrappedKey(), r.auth())))), "a tampered RANDSVR");
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> p.trigger(trigger("modern-v1", PASSWORD, NOW), server("modern-v1", k, r -> {
            byte[] w = r.wrappedKey().clone();
            w[3] ^= 1;
            return new KaResponse(r.randSvr(), w, r.auth());
        }))), "a tampered wrapped key");
    }

    /**
     * Issue 12 §2: a PNE without a clock, or whose clock is anything at all, completes Key
     * Assignment whatever the trigger's Time is, and its request carries the trigger's Time.
     * Before: the PNE refused a Time over 300 s from its own clock ({@code STALE_TIME}) and sent its own.
     */
    @Test
    void noClock_aTriggerTimeFarFromThePnesClock_completes_andIsEchoed_inBothSuites() {
        long[] times = {0L, NOW - 86_400 * 365, NOW + 86_400 * 3650};
        for (String suite : new String[] {"modern-v1", "legacy-v1"}) {
            for (long time : times) {
                PneKeyAssignment p = pne();
                installed(p, suite);
                byte[] keyPne = Randoms.bytes(32);
                assertArrayEquals(keyPne, p.trigger(trigger(suite, PASSWORD, time), server(suite, keyPne, r -> r, time)), suite + " at " + time);
            }
        }
    }

    /** Issue 12 §2: freshness on the PNE is its Nonce memory, and a restart does not empty it. */
    @Test
    void aReplayedTrigger_isRefused_alsoAfterAPneRestart_inBothSuites() throws Exception {
        for (String suite : new String[] {"modern-v1", "legacy-v1"}) {
            PneKeyAssignment p = pne();
            installed(p, suite);
            byte[] k = Randoms.bytes(32);
            KaTrigger once = trigger(suite, PASSWORD, NOW);
            p.trigger(once, server(suite, k, r -> r));
            assertEquals(ErrorCode.REPLAY, refusal(() -> p.trigger(once, server(suite, k, r -> r))), suite);
            PneKeyAssignment after = restarted();
            assertEquals(ErrorCode.REPLAY, refusal(() -> after.trigger(once, server(suite, k, r -> r))), suite + " after a restart");
            assertArrayEquals(k, after.trigger(trigger(suite, PASSWORD, NOW), server(suite, k, r -> r)), "a new trigger still works");
        }
    }

    /**
     * The memory is bounded; a forgotten trigger is still refused, because no trigger at or below
     * the newest forgotten Time is taken. A wrong password records nothing. (legacy-v1: one SHA-1 per
     * trigger keeps the 70 triggers quick; the memory is the same in both suites.)
     */
    @Test
    void theNonceMemoryIsBounded_aForgottenTriggerIsStillRefused() throws Exception {
        PneKeyAssignment p = pne();
        installed(p, "legacy-v1");
        byte[] k = Randoms.bytes(32);
        KaTrigger first = trigger("legacy-v1", PASSWORD, NOW);
        p.trigger(first, server("legacy-v1", k, r -> r));
        for (int i = 1; i <= TriggerNonces.CAPACITY + 5; i++) {
            p.trigger(trigger("legacy-v1", PASSWORD, NOW + i), server("legacy-v1", k, r -> r));
        }
        int full = keys.get(TriggerNonces.ALIAS).orElseThrow().length;
        assertEquals(8 + TriggerNonces.CAPACITY * 40, full, "bounded");
        assertEquals(ErrorCode.REPLAY, refusal(() -> restarted().trigger(first, server("legacy-v1", k, r -> r))), "forgotten, still refused");
        PneKeyAssignment q = pne();
        assertEquals(ErrorCode.AUTH_FAILED, refusal(() -> q.trigger(trigger("legacy-v1", "guess".toCharArray(), NOW + 1000),
                server("legacy-v1", k, r -> r))));
        assertArrayEquals(k, q.trigger(trigger("legacy-v1", PASSWORD, NOW + 1000), server("legacy-v1", k, r -> r)),
                "a newer trigger still works");
        assertEquals(full, keys.get(TriggerNonces.ALIAS).orElseThrow().length);
    }
}
