package io.cpns.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FailureLimiter;
import io.cpns.api.UserId;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.ManualClock;
import io.cpns.testkit.TestLogger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Wrong passwords cost the attacker time, not the Server memory: failed attempts are limited per
 * CPNS User and per source before Argon2id runs, a bounded number of checks run at once, and an
 * unknown user is answered exactly like a known one.
 */
class PasswordLimitsTest {
    static final UserId ALICE = UserId.of("alice");
    static final String PASSWORD = "correct horse";
    static final String LAN = "192.168.1.20";

    final TestLogger log = new TestLogger("server-registry");
    final ManualClock clock = new ManualClock();
    OpenStore store;
    UserRegistryComponent users;

    @BeforeEach
    void setUp() throws Exception {
        store = JdbcStores.open("jdbc:h2:mem:p" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        users = registry(Map.of());
        users.register(ALICE, PASSWORD.toCharArray());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private UserRegistryComponent registry(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(Map.of("argon2MemoryKiB", 1024, "argon2Iterations", 1)); // the defaults: 5, 20, 1 s, 300 s
        c.putAll(config);
        return new UserRegistryComponent(store, log.logger(), Configs.of(UserRegistryComponent.Config.class, c), clock);
    }

    /** The code of the refusal, or null if the password was accepted. */
    private ErrorCode attempt(UserId user, String password, String source) {
        try {
            users.authenticate(user, password.toCharArray(), source);
            return null;
        } catch (CpnsException e) {
            return e.code();
        }
    }

    @Test
    void afterFiveWrongPasswords_theUserMustWait_andEvenTheRightPasswordIsRefusedUnchecked() {
        for (int i = 0; i < 5; i++) {
            assertEquals(ErrorCode.AUTH_FAILED, attempt(ALICE, "guess-" + i, LAN));
        }
        assertEquals(ErrorCode.AUTH_FAILED, attempt(ALICE, "guess-5", "10.9.9.9")); // the sixth is checked, then the wait starts
        assertEquals(ErrorCode.RATE_LIMITED, attempt(ALICE, PASSWORD, "10.7.7.7"), "refused before the password is looked at");
        CpnsException e = assertThrows(CpnsException.class, () -> users.authenticate(ALICE, "x".toCharArray(), "10.8.8.8"));
        assertEquals("too many failed attempts; try again in 1 s", e.getMessage());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(ErrorCode.AUTH_FAILED, attempt(ALICE, "guess-6", LAN));
        assertEquals(ErrorCode.RATE_LIMITED, attempt(ALICE, PASSWORD, LAN), "the wait doubled: 2 s");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(null, attempt(ALICE, PASSWORD, LAN), "the owner gets in once the wait is over");
        for (int i = 0; i < 5; i++) {
            assertEquals(ErrorCode.AUTH_FAILED, attempt(ALICE, "typo-" + i, "10.1.1.1"), "and the count started afresh");
        }
    }

    @Test
    void thousandSequentialWrongPasswords_fewAreChecked() {
        AtomicInteger checked = new AtomicInteger();
        Map<ErrorCode, Integer> answers = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            ErrorCode c = attempt(ALICE, "guess-" + i, LAN);
            answers.merge(c, 1, Integer::sum);
            if (c == ErrorCode.AUTH_FAILED) {
                checked.incrementAndGet();
            }
            clock.advance(Duration.ofMillis(100)); // 10 attempts a second, as fast as the campaign's 9.4/s
        }
        // 100 s: 5 free + 1 checked that starts the wait, then one after each wait of 1, 2, 4, 8, 16, 32 s (63 s)
        assertEquals(12, checked.get(), answers.toString());
        assertEquals(988, answers.get(ErrorCode.RATE_LIMITED));
    }

    @Test
    void anUnknownUser_getsExactlyTheAnswersOfAKnownOne_soTheLimiterTellsNothing() {
        List<String> known = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            known.add(answer(ALICE, "guess-" + i, "10.0.0.1"));
            unknown.add(answer(UserId.of("nobody"), "guess-" + i, "10.0.0.2"));
            clock.advance(Duration.ofMillis(700));
        }
        assertEquals(known, unknown);
        assertTrue(known.contains(ErrorCode.RATE_LIMITED + ": too many failed attempts; try again in 1 s"), known.toString());
    }

    private String answer(UserId user, String password, String source) {
        try {
            users.authenticate(user, password.toCharArray(), source);
            return "accepted";
        } catch (CpnsException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    @Test
    void oneSourceSprayingManyUsers_mustWait_otherSourcesAndUsersDoNot() {
        for (int i = 0; i < 20; i++) {
            assertEquals(ErrorCode.AUTH_FAILED, attempt(UserId.of("user-" + i), "password1", LAN));
        }
        assertEquals(ErrorCode.AUTH_FAILED, attempt(UserId.of("user-20"), "password1", LAN));
        assertEquals(ErrorCode.RATE_LIMITED, attempt(UserId.of("user-21"), "password1", LAN), "the 22nd from one source waits");
        assertEquals(ErrorCode.RATE_LIMITED, attempt(ALICE, PASSWORD, LAN), "whatever user it names");
        assertEquals(null, attempt(ALICE, PASSWORD, "192.168.1.21"), "another source is not held up");
    }

    @Test
    void aRelayingGateway_isASourceOfItsOwn() {
        for (int i = 0; i < 21; i++) {
            attempt(UserId.of("user-" + i), "password1", "gw:gw-alice");
        }
        assertEquals(ErrorCode.RATE_LIMITED, attempt(ALICE, PASSWORD, "gw:gw-alice"));
        assertEquals(null, attempt(ALICE, PASSWORD, "gw:gw-bob"));
    }

    @Test
    void refusals_areLoggedWithinABudgetPerSource_withoutThePassword() {
        for (int i = 0; i < 200; i++) {
            attempt(ALICE, "guess-" + i, LAN);
        }
        long lines = log.all().lines().filter(l -> l.contains("password attempt for CPNS User alice from " + LAN)).count();
        assertEquals(5, lines, log.all());
        assertFalse(log.all().contains("guess-"));
        clock.advance(Duration.ofMinutes(1));
        attempt(ALICE, "guess", LAN);
        assertTrue(log.all().contains("AUTH_FAILED, next attempt in 2 s (195 similar lines suppressed)"), log.all());
    }

    @Test
    void checksBeyondThePermits_waitBriefly_thenAreBusy_andTheUserIsNotCharged() throws Exception {
        FailureLimiter byUser = new FailureLimiter(5, Duration.ofSeconds(1), Duration.ofMinutes(5), 100, clock);
        PasswordGate gate = new PasswordGate(1, Duration.ofMillis(50), byUser,
                new FailureLimiter(20, Duration.ofSeconds(1), Duration.ofMinutes(5), 100, clock));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<PasswordGate.Verdict> first = CompletableFuture.supplyAsync(() -> gate.check(ALICE, LAN, () -> {
            running.countDown();
            await(release);
            return false;
        }));
        running.await();
        PasswordGate.Verdict second = gate.check(UserId.of("bob"), "10.0.0.9", () -> {
            throw new AssertionError("not checked while the only permit is taken");
        });
        assertEquals(PasswordGate.Outcome.BUSY, second.outcome());
        release.countDown();
        assertEquals(PasswordGate.Outcome.AUTH_FAILED, first.get().outcome());
        assertEquals(0, byUser.failures("bob"), "BUSY counts as no failure");
        assertEquals(PasswordGate.Outcome.PASSED, gate.check(UserId.of("bob"), "10.0.0.9", () -> true).outcome());
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void checksAtOnce_fitTheHeap_andTheProcessors() {
        long mib = 1 << 20;
        assertEquals(2, PasswordGate.permitsFor(0, 256 * mib, 19456, 2), "bin/cpns-server: -Xmx256m, 2 processors");
        assertEquals(3, PasswordGate.permitsFor(0, 256 * mib, 19456, 16), "a quarter of 256 MiB holds three 19 MiB checks");
        assertEquals(1, PasswordGate.permitsFor(0, 64 * mib, 19456, 8), "at least one");
        assertEquals(6, PasswordGate.permitsFor(6, 64 * mib, 19456, 1), "a configured number is taken as is");
    }
}
