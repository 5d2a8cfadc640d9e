package io.cpns.crypto;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import java.util.HexFormat;
import java.util.List;

/** The suites this build knows, by wire name. */
public final class Suites {
    private Suites() {
    }

    public static CryptoSuite modern() {
        return ModernSuite.INSTANCE;
    }

    public static CryptoSuite legacy() {
        return LegacySuite.INSTANCE;
    }

    public static List<String> names() {
        return List.of(ModernSuite.NAME, LegacySuite.NAME);
    }

    /** @throws CpnsException {@code UNSUPPORTED_SUITE} for a name this build does not implement */
    public static CryptoSuite byName(String name) {
        if (ModernSuite.NAME.equals(name)) {
            return ModernSuite.INSTANCE;
        }
        if (LegacySuite.NAME.equals(name)) {
            return LegacySuite.INSTANCE;
        }
        throw new CpnsException(ErrorCode.UNSUPPORTED_SUITE, "unknown crypto suite '" + Strings.printable(name) + "'");
    }

    /** A short, non-secret fingerprint of a key for operators: first 8 bytes of SHA-256("CPNS fp" | key), hex. */
    public static String fingerprint(byte[] key) {
        byte[] h = Primitives.sha256("CPNS fp".getBytes(java.nio.charset.StandardCharsets.US_ASCII), key);
        return HexFormat.of().formatHex(java.util.Arrays.copyOf(h, 8));
    }
}
