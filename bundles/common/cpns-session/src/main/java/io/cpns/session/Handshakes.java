package io.cpns.session;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.CryptoSuite;

final class Handshakes {
    private Handshakes() {
    }

    /** A random number of the wrong length is a malformed message, not a weaker handshake. */
    static void checkRand(CryptoSuite suite, byte[] rand) {
        if (rand == null || rand.length != suite.randLength()) {
            throw new CpnsException(ErrorCode.MALFORMED, "random number must be " + suite.randLength() + " bytes");
        }
    }
}
