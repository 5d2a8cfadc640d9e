package io.cpns.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TS §5.3.1: "User ID and password of the CPNS User ... SHALL be registered with CPNS Server". */
class UserRegistryTest {
    @TempDir
    Path dir;
    RegistryFixture f;
    static final UserId ALICE = UserId.of("alice");

    @BeforeEach
    void setUp() throws Exception {
        f = new RegistryFixture(dir);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void registeredUser_authenticatesWithThePassword() {
        f.users.register(ALICE, "correct horse".toCharArray());
        f.users.authenticate(ALICE, "correct horse".toCharArray(), "10.0.0.1");
        assertEquals(List.of(ALICE), f.users.list());
    }

    @Test
    void wrongPassword_andUnknownUser_areTheSameAuthFailed() {
        f.users.register(ALICE, "correct horse".toCharArray());
        CpnsException wrong = assertThrows(CpnsException.class, () -> f.users.authenticate(ALICE, "wrong horse".toCharArray(), "10.0.0.1"));
        CpnsException unknown = assertThrows(CpnsException.class, () -> f.users.authenticate(UserId.of("mallory"), "x".toCharArray(), "10.0.0.1"));
        assertEquals(ErrorCode.AUTH_FAILED, wrong.code());
        assertEquals(wrong.code(), unknown.code());
        assertEquals(wrong.getMessage(), unknown.getMessage());
    }

    @Test
    void passwordIsStoredAsArgon2id_neverInTheClear_andWipedFromTheCallersArray() {
        char[] pw = "correct horse".toCharArray();
        f.users.register(ALICE, pw);
        String stored = f.store.passwordHash(ALICE).orElseThrow();
        assertTrue(stored.startsWith("$argon2id$v=19$m=1024,t=1,p=1$"), stored);
        assertFalse(stored.contains("correct horse"));
        assertEquals("\0".repeat(13), new String(pw));
        assertFalse(f.log.all().contains("correct horse"));
    }

    @Test
    void duplicateUser_isUserExists_shortPassword_isInvalidArgument() {
        f.users.register(ALICE, "correct horse".toCharArray());
        assertEquals(ErrorCode.USER_EXISTS, assertThrows(CpnsException.class, () -> f.users.register(ALICE, "another one".toCharArray())).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> f.users.register(UserId.of("bob"), "short".toCharArray())).code());
    }
}
