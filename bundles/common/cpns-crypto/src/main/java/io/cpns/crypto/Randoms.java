package io.cpns.crypto;

import java.security.SecureRandom;

/** The one source of random numbers (rand_PNE, rand_server, keys, nonces). */
public final class Randoms {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Randoms() {
    }

    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public static SecureRandom secureRandom() {
        return RANDOM;
    }
}
