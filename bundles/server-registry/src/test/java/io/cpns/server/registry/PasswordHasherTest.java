package io.cpns.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.testkit.Configs;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    @Test
    void defaults_areTheRfc9106SecondRecommendation() {
        UserRegistryComponent.Config c = Configs.defaults(UserRegistryComponent.Config.class);
        assertEquals(19456, c.argon2MemoryKiB());
        assertEquals(2, c.argon2Iterations());
        assertEquals(1, c.argon2Parallelism());
    }

    @Test
    void hash_isSalted_andVerifiesOnlyTheRightPassword() {
        PasswordHasher h = new PasswordHasher(1024, 1, 1);
        String a = h.hash("pw".toCharArray());
        assertNotEquals(a, h.hash("pw".toCharArray()));
        assertTrue(h.verify("pw".toCharArray(), a));
        assertFalse(h.verify("pW".toCharArray(), a));
    }

    @Test
    void parametersTravelInTheHash_soRaisingThemKeepsOldUsers() {
        String old = new PasswordHasher(1024, 1, 1).hash("pw".toCharArray());
        assertTrue(new PasswordHasher(2048, 2, 1).verify("pw".toCharArray(), old));
    }
}
