package io.cpns.server.registry;

import java.util.HexFormat;

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

    /** RFC 9106 §5.3 test vector for Argon2id, on the Bouncy Castle generator the hasher uses. */
    @Test
    void argon2id_rfc9106_testVector() {
        org.bouncycastle.crypto.generators.Argon2BytesGenerator g = new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
        g.init(new org.bouncycastle.crypto.params.Argon2Parameters.Builder(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
                .withVersion(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(32).withIterations(3).withParallelism(4)
                .withSalt(filled(0x02, 16)).withSecret(filled(0x03, 8)).withAdditional(filled(0x04, 12)).build());
        byte[] tag = new byte[32];
        g.generateBytes(filled(0x01, 32), tag);
        assertEquals("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", HexFormat.of().formatHex(tag));
    }

    private static byte[] filled(int b, int n) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, (byte) b);
        return a;
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
